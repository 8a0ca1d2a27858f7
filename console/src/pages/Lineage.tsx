/**
 * Lineage: the graph around one record, upstream and downstream at once, laid out left to right
 * (data snapshot -> training run -> model version -> materialization run -> feature set version)
 * by dagre and drawn as SVG. Clicking a node shows its record; "walk from here" re-centres the
 * graph on it, so a user walks the graph one record at a time.
 */
import dagre from '@dagrejs/dagre';
import { useEffect, useMemo, useRef, useState, type PointerEvent, type ReactNode } from 'react';
import { useQuery } from '../api.ts';
import { Badge, JsonView, Status } from '../components.tsx';
import { href } from '../route.ts';

type Kind = 'DATA_SNAPSHOT' | 'TRAINING_RUN' | 'MODEL_VERSION' | 'MATERIALIZATION_RUN' | 'FEATURE_SET_VERSION';
interface LineageNode { kind: Kind; id: string; depth: number; record: Record<string, unknown> | null }
interface LineageEdge { fromKind: Kind; fromId: string; toKind: Kind; toId: string }
interface Graph { start: LineageNode; nodes: LineageNode[]; edges: LineageEdge[] }

const KINDS: readonly Kind[] = ['DATA_SNAPSHOT', 'TRAINING_RUN', 'MODEL_VERSION', 'MATERIALIZATION_RUN', 'FEATURE_SET_VERSION'];
const KIND_LABEL: Record<Kind, string> = {
  DATA_SNAPSHOT: 'Data snapshot',
  TRAINING_RUN: 'Training run',
  MODEL_VERSION: 'Model version',
  MATERIALIZATION_RUN: 'Materialization run',
  FEATURE_SET_VERSION: 'Feature set version',
};
const KIND_COLOR: Record<Kind, string> = {
  DATA_SNAPSHOT: '#64748b',
  TRAINING_RUN: '#d97706',
  MODEL_VERSION: '#7c3aed',
  MATERIALIZATION_RUN: '#0891b2',
  FEATURE_SET_VERSION: '#059669',
};

const NODE_FIELDS = `kind id depth record`;
const WALK = `query($kind: LineageKind!, $id: ID!) {
  up: lineage(kind: $kind, id: $id, direction: UPSTREAM) { start { ${NODE_FIELDS} } nodes { ${NODE_FIELDS} } edges { fromKind fromId toKind toId } }
  down: lineage(kind: $kind, id: $id, direction: DOWNSTREAM) { start { ${NODE_FIELDS} } nodes { ${NODE_FIELDS} } edges { fromKind fromId toKind toId } }
}`;

const NODE_WIDTH = 190;
const NODE_HEIGHT = 56;

export function LineagePage(props: { params: URLSearchParams }) {
  const kind = props.params.get('kind') as Kind | null;
  const id = props.params.get('id');
  if (!kind || !id || !KINDS.includes(kind)) return <LineageStart />;
  return <LineageGraphView kind={kind} id={id} selected={props.params.get('node')} />;
}

function nodeKey(kind: string, id: string): string {
  return `${kind}:${id}`;
}

/** What a node shows besides its kind: the record's name-like fields. */
function nodeCaption(node: LineageNode): string {
  const r = node.record ?? {};
  switch (node.kind) {
    case 'FEATURE_SET_VERSION': return `${String(r.featureSet ?? '?')} v${String(r.version ?? '?')}`;
    case 'MODEL_VERSION': return `${String(r.name ?? '?')} v${String(r.version ?? '?')}`;
    case 'MATERIALIZATION_RUN': return `#${node.id} ${String(r.mode ?? '')} ${String(r.rowsDone ?? '')}/${String(r.rowsTotal ?? '')}`;
    case 'TRAINING_RUN': return `#${node.id} ${String(r.status ?? '')}`;
    case 'DATA_SNAPSHOT': return `#${node.id}`;
  }
}

function LineageGraphView(props: { kind: Kind; id: string; selected: string | null }) {
  const walk = useQuery<{ up: Graph; down: Graph }>(WALK, { kind: props.kind, id: props.id });
  const merged = useMemo(() => (walk.data ? mergeGraphs(walk.data.up, walk.data.down) : undefined), [walk.data]);
  const layout = useMemo(() => (merged ? layOut(merged.nodes, merged.edges) : undefined), [merged]);
  const startKey = nodeKey(props.kind, props.id);
  const selectedKey = props.selected ?? startKey;
  const startNode = merged?.nodes.find((node) => nodeKey(node.kind, node.id) === startKey);
  const selected = merged?.nodes.find((node) => nodeKey(node.kind, node.id) === selectedKey);
  const linkTo = (node: LineageNode) => href('lineage', [], { kind: props.kind, id: props.id, node: nodeKey(node.kind, node.id) });
  return (
    <section>
      <h1>Lineage</h1>
      <p>
        Centred on <strong>{KIND_LABEL[props.kind]} {startNode ? nodeCaption(startNode) : props.id}</strong>: everything it was made from (left) and everything made from it (right).{' '}
        <a href={href('lineage')}>Start elsewhere</a>
      </p>
      <Status loading={walk.loading && !walk.data} error={walk.error}>
        <div className="lineage">
          {layout && merged && (
            <ZoomableSvg width={layout.width} height={layout.height}>
              <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                  <path d="M 0 0 L 10 5 L 0 10 z" fill="#94a3b8" />
                </marker>
              </defs>
              {layout.edges.map((edge) => (
                <polyline key={edge.key} points={edge.points.map((p: { x: number; y: number }) => `${p.x},${p.y}`).join(' ')} fill="none" stroke="#94a3b8" strokeWidth={1.5} markerEnd="url(#arrow)" />
              ))}
              {merged.nodes.map((node) => {
                const key = nodeKey(node.kind, node.id);
                const position = layout.positions.get(key);
                if (!position) return null;
                const isSelected = key === selectedKey;
                return (
                  <a key={key} href={linkTo(node)} data-testid={`node-${node.kind}-${node.id}`} aria-label={`${KIND_LABEL[node.kind]} ${node.id}`}>
                    <g transform={`translate(${position.x - NODE_WIDTH / 2}, ${position.y - NODE_HEIGHT / 2})`} className="lineage-node">
                      <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx={8} fill={isSelected ? KIND_COLOR[node.kind] : '#fff'} stroke={KIND_COLOR[node.kind]} strokeWidth={key === startKey ? 3 : 1.5} />
                      <text x={10} y={22} fontSize={12} fontWeight={600} fill={isSelected ? '#fff' : KIND_COLOR[node.kind]}>{KIND_LABEL[node.kind]}</text>
                      <text x={10} y={42} fontSize={12} fill={isSelected ? '#fff' : '#0f172a'}>{nodeCaption(node)}</text>
                    </g>
                  </a>
                );
              })}
            </ZoomableSvg>
          )}
          {selected && <NodePanel node={selected} isStart={nodeKey(selected.kind, selected.id) === startKey} />}
        </div>
      </Status>
    </section>
  );
}

interface ViewBox { x: number; y: number; w: number; h: number }

/** The graph's SVG: the wheel zooms around the pointer, dragging the background pans, "Fit" resets. */
function ZoomableSvg(props: { width: number; height: number; children: ReactNode }) {
  const fit: ViewBox = { x: -10, y: -10, w: props.width + 20, h: props.height + 20 };
  const [view, setView] = useState<ViewBox>(fit);
  const svg = useRef<SVGSVGElement>(null);
  const drag = useRef<{ x: number; y: number; view: ViewBox } | null>(null);
  useEffect(() => setView({ x: -10, y: -10, w: props.width + 20, h: props.height + 20 }), [props.width, props.height]);
  useEffect(() => {
    const element = svg.current;
    if (!element) return;
    // React's wheel listeners are passive; zooming must keep the page from scrolling.
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const box = element.getBoundingClientRect();
      const factor = event.deltaY > 0 ? 1.15 : 1 / 1.15;
      setView((current) => {
        const px = current.x + ((event.clientX - box.left) / box.width) * current.w;
        const py = current.y + ((event.clientY - box.top) / box.height) * current.h;
        return { x: px - (px - current.x) * factor, y: py - (py - current.y) * factor, w: current.w * factor, h: current.h * factor };
      });
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, []);
  const onPointerDown = (event: PointerEvent<SVGSVGElement>) => {
    if ((event.target as Element).closest('a')) return;
    drag.current = { x: event.clientX, y: event.clientY, view };
    event.currentTarget.setPointerCapture(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    const start = drag.current;
    if (!start) return;
    const box = event.currentTarget.getBoundingClientRect();
    const scale = Math.max(start.view.w / box.width, start.view.h / box.height);
    setView({ ...start.view, x: start.view.x - (event.clientX - start.x) * scale, y: start.view.y - (event.clientY - start.y) * scale });
  };
  const onPointerUp = () => { drag.current = null; };
  return (
    <div className="lineage-canvas">
      <div className="lineage-tools">
        <button type="button" onClick={() => setView((v) => ({ x: v.x + v.w * 0.1, y: v.y + v.h * 0.1, w: v.w * 0.8, h: v.h * 0.8 }))} aria-label="Zoom in">+</button>
        <button type="button" onClick={() => setView((v) => ({ x: v.x - v.w * 0.125, y: v.y - v.h * 0.125, w: v.w * 1.25, h: v.h * 1.25 }))} aria-label="Zoom out">-</button>
        <button type="button" onClick={() => setView(fit)}>Fit</button>
      </div>
      <svg
        ref={svg}
        className="lineage-graph"
        data-testid="lineage-graph"
        viewBox={`${view.x} ${view.y} ${view.w} ${view.h}`}
        style={{ maxHeight: '70vh', width: '100%', minHeight: 200 }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
      >
        {props.children}
      </svg>
    </div>
  );
}

function NodePanel(props: { node: LineageNode; isStart: boolean }) {
  const { node } = props;
  const status = typeof node.record?.status === 'string' ? node.record.status.toUpperCase() : undefined;
  return (
    <aside className="panel" data-testid="node-record">
      <h2>{KIND_LABEL[node.kind]} {node.id} {status && <Badge status={status} />}</h2>
      <p>
        {!props.isStart && <><a href={href('lineage', [], { kind: node.kind, id: node.id })} data-testid="walk-from-here">Walk from here</a>{' · '}</>}
        <RecordLink node={node} />
      </p>
      {node.record === null ? <p className="muted">The record no longer exists.</p> : <JsonView value={node.record} testId="node-record-json" />}
    </aside>
  );
}

function RecordLink(props: { node: LineageNode }) {
  const { node } = props;
  switch (node.kind) {
    case 'TRAINING_RUN': return <a href={href('runs', ['training', node.id])} data-testid="open-record">Open the training run</a>;
    case 'MATERIALIZATION_RUN': return <a href={href('runs', ['materialization', node.id])} data-testid="open-record">Open the materialization run</a>;
    case 'FEATURE_SET_VERSION': {
      const name = node.record?.featureSet;
      return typeof name === 'string' ? <a href={href('feature-sets', [name], { version: String(node.record?.version ?? '') })} data-testid="open-record">Open the feature set version</a> : null;
    }
    case 'MODEL_VERSION':
    case 'DATA_SNAPSHOT':
      return null;
  }
}

function mergeGraphs(up: Graph, down: Graph): { nodes: LineageNode[]; edges: LineageEdge[] } {
  const nodes = new Map<string, LineageNode>();
  for (const node of [up.start, ...up.nodes, ...down.nodes]) nodes.set(nodeKey(node.kind, node.id), node);
  const edges = new Map<string, LineageEdge>();
  for (const edge of [...up.edges, ...down.edges]) edges.set(`${nodeKey(edge.fromKind, edge.fromId)}>${nodeKey(edge.toKind, edge.toId)}`, edge);
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

function layOut(nodes: readonly LineageNode[], edges: readonly LineageEdge[]) {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 60, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) graph.setNode(nodeKey(node.kind, node.id), { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of edges) {
    const from = nodeKey(edge.fromKind, edge.fromId);
    const to = nodeKey(edge.toKind, edge.toId);
    if (graph.hasNode(from) && graph.hasNode(to)) graph.setEdge(from, to);
  }
  dagre.layout(graph);
  const positions = new Map<string, { x: number; y: number }>();
  for (const key of graph.nodes()) {
    const laid = graph.node(key);
    positions.set(key, { x: laid.x ?? 0, y: laid.y ?? 0 });
  }
  const laidEdges = graph.edges().map((e) => ({ key: `${e.v}>${e.w}`, points: (graph.edge(e).points ?? []) as { x: number; y: number }[] }));
  const label = graph.graph();
  return { positions, edges: laidEdges, width: Math.max(label.width ?? 0, NODE_WIDTH), height: Math.max(label.height ?? 0, NODE_HEIGHT) };
}

/** Where to start a walk: the feature set versions and training runs. */
function LineageStart() {
  const data = useQuery<{ featureSets: { name: string; versions: { id: string; version: number; status: string }[] }[]; trainingRuns: { id: string; status: string; createdAt: string }[] }>(
    `{ featureSets { name versions { id version status } } trainingRuns(first: 20) { id status createdAt } }`,
  );
  return (
    <section>
      <h1>Lineage</h1>
      <p>Pick a record to start from.</p>
      <Status loading={data.loading && !data.data} error={data.error}>
        <div className="columns">
          <div>
            <h2>Feature set versions</h2>
            <ul data-testid="lineage-start-versions">
              {data.data?.featureSets.flatMap((set) => set.versions.map((v) => (
                <li key={v.id}><a href={href('lineage', [], { kind: 'FEATURE_SET_VERSION', id: v.id })}>{set.name} v{v.version}</a> <Badge status={v.status} /></li>
              )))}
            </ul>
          </div>
          <div>
            <h2>Training runs</h2>
            <ul>
              {data.data?.trainingRuns.map((run) => (
                <li key={run.id}><a href={href('lineage', [], { kind: 'TRAINING_RUN', id: run.id })}>Training run {run.id}</a> <Badge status={run.status} /></li>
              ))}
            </ul>
          </div>
        </div>
      </Status>
    </section>
  );
}
