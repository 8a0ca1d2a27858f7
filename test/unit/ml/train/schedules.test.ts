import { describe, expect, it } from 'vitest';
import { AdaptiveLearningRate, DEFAULT_ADAPTIVE_LR } from '../../../../ml/train/AdaptiveLearningRate.ts';
import { PlateauDetector } from '../../../../ml/train/PlateauDetector.ts';

describe('AdaptiveLearningRate', () => {
  const make = () => new AdaptiveLearningRate({ ...DEFAULT_ADAPTIVE_LR, baseRate: 0.01, smoothing: 1 });

  it('keeps the base rate until calibrated', () => {
    const schedule = make();
    schedule.observe(3);
    expect(schedule.rate).toBe(0.01);
  });

  it('raises the rate while synthetic features grow and lowers it as they shrink, within bounds', () => {
    const schedule = make();
    schedule.observe(1);
    schedule.calibrate();
    schedule.observe(1.5);
    expect(schedule.rate).toBeCloseTo(0.015);
    schedule.observe(10);
    expect(schedule.rate).toBeCloseTo(0.02);
    schedule.observe(0.5);
    expect(schedule.rate).toBeCloseTo(0.005);
    schedule.observe(0.01);
    expect(schedule.rate).toBeCloseTo(0.0025);
  });

  it('smooths the magnitude over batches and ignores non-finite values', () => {
    const schedule = new AdaptiveLearningRate({ ...DEFAULT_ADAPTIVE_LR, baseRate: 1, smoothing: 0.5 });
    schedule.observe(2);
    schedule.observe(4);
    schedule.observe(Number.NaN);
    expect(schedule.magnitude).toBe(3);
  });

  it('rejects bounds that exclude the base rate', () => {
    expect(() => new AdaptiveLearningRate({ ...DEFAULT_ADAPTIVE_LR, baseRate: 1, minFactor: 1.5 })).toThrow(/minFactor/);
  });
});

describe('PlateauDetector', () => {
  it('reports a plateau after `patience` evaluations without relative improvement', () => {
    const detector = new PlateauDetector(2, 0.01);
    expect(detector.update(1)).toBe(true);
    expect(detector.update(0.9)).toBe(true);
    expect(detector.update(0.895)).toBe(false);
    expect(detector.onPlateau).toBe(false);
    expect(detector.update(0.95)).toBe(false);
    expect(detector.onPlateau).toBe(true);
    expect(detector.best).toBe(0.895);
    detector.reset();
    expect(detector.onPlateau).toBe(false);
  });
});
