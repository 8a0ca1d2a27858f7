/**
 * Explain: a user's scores for a list of items (`predict`), each with the combination module's
 * weight of every feature group, which sum to 1 and say what the score leaned on. Without items,
 * the user's top recommendations are explained.
 */
import { useState, type FormEvent } from 'react';
import { gql, toApiError, type ApiError } from '../api.ts';
import { Chart, PALETTE } from '../charts/Chart.tsx';
import { formatNumber, Status } from '../components.tsx';

interface Prediction {
  model: { name: string; version: number };
  user: { id: string };
  userFeatures: string;
  scores: { item: { id: string }; score: number; itemFeatures: string; groupWeights: { group: string; weight: number }[] }[];
}

const PREDICT = `query($user: ID!, $items: [ID!]!) { predict(userId: $user, itemIds: $items) {
  model { name version } user { id } userFeatures scores { item { id } score itemFeatures groupWeights { group weight } } } }`;
const RECOMMENDED = `query($user: ID!) { recommend(userId: $user, k: 10) { items { item { id } } } }`;

export function ExplainPage(props: { params: URLSearchParams }) {
  const [userId, setUserId] = useState(props.params.get('user') ?? '');
  const [itemText, setItemText] = useState(props.params.get('items') ?? '');
  const [prediction, setPrediction] = useState<Prediction>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(false);
  const explain = async (event: FormEvent) => {
    event.preventDefault();
    setLoading(true);
    setError(undefined);
    try {
      let items = itemText.split(/[\s,]+/).filter(Boolean);
      if (items.length === 0) {
        const recommended = await gql<{ recommend: { items: { item: { id: string } }[] } }>(RECOMMENDED, { user: userId.trim() });
        items = recommended.recommend.items.map((entry) => entry.item.id);
        setItemText(items.join(', '));
      }
      setPrediction((await gql<{ predict: Prediction }>(PREDICT, { user: userId.trim(), items })).predict);
    } catch (caught) {
      setError(toApiError(caught));
      setPrediction(undefined);
    } finally {
      setLoading(false);
    }
  };
  const groups = prediction ? [...new Set(prediction.scores.flatMap((s) => s.groupWeights.map((g) => g.group)))] : [];
  const colorOf = (group: string) => PALETTE[groups.indexOf(group) % PALETTE.length]!;
  return (
    <section>
      <h1>Explain</h1>
      <form className="explain-form" onSubmit={(event) => void explain(event)}>
        <label>User id <input name="user" value={userId} onChange={(event) => setUserId(event.target.value)} required /></label>
        <label>Item ids (comma or space separated; empty: the user's top 10 recommendations)
          <textarea name="items" rows={2} value={itemText} onChange={(event) => setItemText(event.target.value)} />
        </label>
        <button type="submit" disabled={loading || !userId.trim()}>Explain</button>
      </form>
      <Status loading={loading} error={error}>
        {prediction && (
          <div data-testid="explanation">
            <p>Model {prediction.model.name} v{prediction.model.version}; user {prediction.user.id}'s synthetic features {prediction.userFeatures === 'COMPUTED' ? 'computed now (added since the last materialization)' : 'materialized'}.</p>
            <Chart
              testId="score-chart"
              title="Scores"
              xLabel="item"
              bars
              x={prediction.scores.map((_, index) => index)}
              categories={prediction.scores.map((s) => s.item.id)}
              series={[{ label: 'score', values: prediction.scores.map((s) => s.score), color: PALETTE[0]! }]}
            />
            <h2>Feature group weights</h2>
            <div className="legend">{groups.map((group) => <span key={group}><i style={{ background: colorOf(group) }} />{group}</span>)}</div>
            <div className="stacked" data-testid="group-weight-chart">
              {prediction.scores.map((s) => (
                <div className="stacked-row" key={s.item.id}>
                  <span className="stacked-label">{s.item.id}</span>
                  <span className="stacked-bar">
                    {s.groupWeights.map((g) => (
                      <span key={g.group} style={{ width: `${g.weight * 100}%`, background: colorOf(g.group) }} title={`${g.group}: ${formatNumber(g.weight)}`} />
                    ))}
                  </span>
                  <span className="stacked-score">{formatNumber(s.score)}</span>
                </div>
              ))}
            </div>
            <table>
              <thead><tr><th>Item</th><th>Score</th><th>Item features</th>{groups.map((group) => <th key={group}>{group}</th>)}</tr></thead>
              <tbody>
                {prediction.scores.map((s) => (
                  <tr key={s.item.id}>
                    <td>{s.item.id}</td>
                    <td>{formatNumber(s.score)}</td>
                    <td>{s.itemFeatures}</td>
                    {groups.map((group) => <td key={group}>{formatNumber(s.groupWeights.find((g) => g.group === group)?.weight)}</td>)}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Status>
    </section>
  );
}
