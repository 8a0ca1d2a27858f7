import { describe, expect, it } from 'vitest';
import { mlpHiddenSizes, ModelConfigError, parseModelConfig, transformerFfWidths } from '../../../../ml/model/ModelConfig.ts';

describe('parseModelConfig', () => {
  it('fills every default from an empty object', () => {
    const config = parseModelConfig({});
    expect(config.task).toBe('binary');
    expect(config.companion.architecture).toBe('mlp');
    expect(config.companion.synthDim).toBe(32);
    expect(config.companion.mlp.hiddenSizes).toEqual([64, 64]);
    expect(config.companion.transformer).toMatchObject({ layers: 2, heads: 4, width: 32, ffWidth: 64 });
    expect(config.combine.mode).toBe('attention');
    expect(config.regularization).toEqual({ l1: 0, l2: 0 });
    expect(parseModelConfig(undefined)).toEqual(config);
  });

  it('keeps nested defaults when a section is partly given', () => {
    const config = parseModelConfig({ companion: { transformer: { heads: 2 } } });
    expect(config.companion.transformer).toMatchObject({ heads: 2, width: 32, layers: 2 });
    expect(config.companion.mlp.hiddenSizes).toEqual([64, 64]);
  });

  it('says what was expected for unknown values and keys', () => {
    const error = (() => {
      try {
        parseModelConfig({ companion: { architecture: 'cnn' }, combine: { mode: 'sum' }, primary: { hiddenSize: [3] } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ModelConfigError);
    const message = (error as Error).message;
    expect(message).toContain('companion.architecture: Invalid option: expected one of "mlp"|"transformer", got "cnn"');
    expect(message).toContain('combine.mode: Invalid option: expected one of "weighted_sum"|"concat"|"attention", got "sum"');
    expect(message).toContain('hiddenSize');
  });

  it('rejects transformer heads that do not divide the width, and 3 layers', () => {
    expect(() => parseModelConfig({ companion: { transformer: { width: 30, heads: 4 } } })).toThrow(
      /companion\.transformer\.heads: expected a divisor of transformer\.width \(30\), got 4/,
    );
    expect(() => parseModelConfig({ companion: { transformer: { layers: 3 } } })).toThrow(/companion\.transformer\.layers/);
    expect(() => parseModelConfig({ regularization: { l1: -1 } })).toThrow(/regularization\.l1/);
  });

  it('per-entity sizes override the shared ones', () => {
    const config = parseModelConfig({ companion: { sizes: { user: { hiddenSizes: [8, 9, 10] } } } });
    expect(mlpHiddenSizes(config, 'user')).toEqual([8, 9, 10]);
    expect(mlpHiddenSizes(config, 'item')).toEqual([64, 64]);
    expect(transformerFfWidths(config, 'item')).toEqual([64, 64]);
    expect(() => parseModelConfig({ companion: { sizes: { item: { ffWidths: [1] } } } })).toThrow(/one width per transformer layer/);
  });
});
