import { describe, expect, it } from 'vitest';
import { AdaptiveLearningRate, DEFAULT_ADAPTIVE_LR } from '../../../../ml/train/AdaptiveLearningRate.ts';
import { PlateauDetector } from '../../../../ml/train/PlateauDetector.ts';

describe('AdaptiveLearningRate', () => {
  const make = (smoothing = 0.5) => new AdaptiveLearningRate({ ...DEFAULT_ADAPTIVE_LR, baseRate: 0.01, smoothing });

  it('keeps the base rate while the magnitude is steady', () => {
    const schedule = make();
    expect(schedule.rate).toBe(0.01);
    for (let i = 0; i < 50; i++) schedule.observe(3);
    expect(schedule.rate).toBeCloseTo(0.01, 10);
  });

  it('raises the rate while synthetic features grow and lowers it as they shrink, within bounds', () => {
    const schedule = make();
    schedule.observe(1);
    schedule.observe(2);
    expect(schedule.rate).toBeGreaterThan(0.01);
    for (let i = 0; i < 3; i++) schedule.observe(1000);
    expect(schedule.rate).toBeCloseTo(0.02);
    for (let i = 0; i < 5; i++) schedule.observe(0.001);
    expect(schedule.rate).toBeCloseTo(0.0025);
  });

  it('settles back to the base rate once the magnitude stops moving', () => {
    const schedule = make(0.2);
    for (let i = 0; i < 20; i++) schedule.observe(1 + i);
    const growing = schedule.rate;
    for (let i = 0; i < 2000; i++) schedule.observe(20);
    expect(growing).toBeGreaterThan(0.012);
    expect(schedule.rate).toBeCloseTo(0.01, 4);
  });

  it('ignores non-finite values and rejects bounds that exclude the base rate', () => {
    const schedule = make(0.5);
    schedule.observe(2);
    schedule.observe(4);
    schedule.observe(Number.NaN);
    expect(schedule.magnitude).toBe(3);
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
