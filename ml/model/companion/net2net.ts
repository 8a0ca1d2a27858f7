/**
 * Function-preserving size changes of one block of hidden units (Net2Net, Chen et al. 2016):
 *
 *   h = relu(x @ inKernel + inBias)      [.., units]
 *   y = h @ outKernel + outBias
 *
 * Widening copies randomly chosen units (incoming weights and bias duplicated) and splits each
 * original unit's outgoing weights among its copies. The split fractions are random and sum to
 * 1, so y is unchanged while the copies get different gradients (symmetry is broken without
 * adding noise). Pruning removes units whose incoming + outgoing weight L1 is <= threshold
 * (criterion 'sum'), or whose incoming or outgoing L1 alone is (criterion 'either': units that
 * are constant or unused), and folds their near-constant contribution relu(bias) * outKernel
 * into outBias.
 */
import * as tf from '@tensorflow/tfjs';
import type { Params } from '../Params.ts';
import { makeRandom } from '../seeds.ts';

/** Full parameter names of one block. */
export interface UnitBlock {
  readonly inKernel: string;
  readonly inBias: string;
  readonly outKernel: string;
  readonly outBias: string;
}

export function unitCount(params: Params, block: UnitBlock): number {
  return params.get(block.inKernel).shape[1]!;
}

/** Widens the block to `newUnits`; returns the unit copied by each new unit. */
export function widenUnits(params: Params, block: UnitBlock, newUnits: number, seed: number): number[] {
  const units = unitCount(params, block);
  if (!Number.isInteger(newUnits) || newUnits <= units) {
    throw new Error(`widen ${block.inKernel}: expected newUnits > ${units} (the current width), got ${newUnits}`);
  }
  const random = makeRandom(seed);
  const copied = Array.from({ length: newUnits - units }, () => Math.floor(random() * units));
  const mapping = [...Array.from({ length: units }, (_, i) => i), ...copied];
  // Random positive split of each original unit's outgoing weights among its copies.
  const draw = mapping.map(() => 0.5 + random());
  const totals = new Float64Array(units);
  mapping.forEach((source, i) => (totals[source]! += draw[i]!));
  const fractions = new Float32Array(mapping.map((source, i) => draw[i]! / totals[source]!));

  const [inKernel, inBias, outKernel] = tf.tidy(() => {
    const index = tf.tensor1d(mapping, 'int32');
    return [
      tf.gather(params.get(block.inKernel), index, 1),
      tf.gather(params.get(block.inBias), index),
      tf.mul(tf.gather(params.get(block.outKernel), index, 0), tf.tensor2d(fractions, [newUnits, 1])),
    ];
  });
  params.replace(block.inKernel, inKernel);
  params.replace(block.inBias, inBias);
  params.replace(block.outKernel, outKernel);
  tf.dispose([inKernel, inBias, outKernel]);
  return copied;
}

export interface PruneResult {
  readonly from: number;
  readonly removed: number[];
  /** True when every removed unit had all-zero incoming or all-zero outgoing weights. */
  readonly exact: boolean;
}

/** Which units `pruneUnits` removes: in + out L1 <= threshold, or min(in, out) L1 <= threshold. */
export type PruneCriterion = 'sum' | 'either';

/** Removes units whose weights' L1 is <= threshold (always keeps at least one unit). */
export function pruneUnits(params: Params, block: UnitBlock, threshold: number, criterion: PruneCriterion = 'sum'): PruneResult {
  const inKernel = params.get(block.inKernel);
  const outKernel = params.get(block.outKernel);
  const [inputs, units] = inKernel.shape as [number, number];
  const outputs = outKernel.shape[1]!;
  const inValues = inKernel.dataSync();
  const biasValues = params.get(block.inBias).dataSync();
  const outValues = outKernel.dataSync();

  const scores = new Float64Array(units);
  const totals = new Float64Array(units);
  const inZero: boolean[] = [];
  const outZero: boolean[] = [];
  for (let j = 0; j < units; j++) {
    let inL1 = 0;
    for (let i = 0; i < inputs; i++) inL1 += Math.abs(inValues[i * units + j]!);
    let outL1 = 0;
    for (let k = 0; k < outputs; k++) outL1 += Math.abs(outValues[j * outputs + k]!);
    totals[j] = inL1 + outL1;
    scores[j] = criterion === 'sum' ? inL1 + outL1 : Math.min(inL1, outL1);
    inZero.push(inL1 === 0);
    outZero.push(outL1 === 0);
  }
  let removed = [...scores.keys()].filter((j) => scores[j]! <= threshold);
  if (removed.length === units) {
    let best = 0;
    for (let j = 1; j < units; j++) if (totals[j]! > totals[best]!) best = j;
    removed = removed.filter((j) => j !== best);
  }
  if (removed.length === 0) return { from: units, removed, exact: true };

  const removedSet = new Set(removed);
  const kept = [...scores.keys()].filter((j) => !removedSet.has(j));
  // A removed unit outputs ~relu(bias) whatever its input: fold that constant into outBias.
  const fold = new Float32Array(outputs);
  for (const j of removed) {
    const constant = Math.max(0, biasValues[j]!);
    for (let k = 0; k < outputs; k++) fold[k]! += constant * outValues[j * outputs + k]!;
  }
  const [newIn, newBias, newOut, newOutBias] = tf.tidy(() => {
    const index = tf.tensor1d(kept, 'int32');
    return [
      tf.gather(inKernel, index, 1),
      tf.gather(params.get(block.inBias), index),
      tf.gather(outKernel, index, 0),
      tf.add(params.get(block.outBias), tf.tensor1d(fold)),
    ];
  });
  params.replace(block.inKernel, newIn);
  params.replace(block.inBias, newBias);
  params.replace(block.outKernel, newOut);
  params.replace(block.outBias, newOutBias);
  tf.dispose([newIn, newBias, newOut, newOutBias]);
  return { from: units, removed, exact: removed.every((j) => inZero[j] || outZero[j]) };
}
