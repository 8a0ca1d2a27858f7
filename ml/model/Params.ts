/**
 * The named parameter registry of one model. Every tf.Variable of the model is created here,
 * under a unique stable name (`user/companion/hidden/0/kernel`), in a fixed order: the order in
 * which a model built from the same config creates them. Optimizers such as Adam match their
 * state to variables by position, so `variables()` must be deterministic; size changes keep it
 * so by replacing variables in place and inserting new ones where a fresh build would put them.
 *
 * Initial values are seeded per variable from the model seed and the variable's name, or taken
 * from `initialValues` (loading a saved model).
 */
import * as tf from '@tensorflow/tfjs';
import type { Initializer } from './initializers.ts';
import { deriveSeed } from './seeds.ts';

export interface ParamsOptions {
  readonly seed: number;
  /** Values to use instead of initializers, by name (loading). Shapes must match. */
  readonly initialValues?: ReadonlyMap<string, tf.Tensor>;
}

export interface CreateOptions {
  /** Insert right after this existing name instead of appending. */
  readonly after?: string;
}

/** A view of the registry that prefixes every name with `prefix/`. */
export interface ParamScope {
  readonly prefix: string;
  readonly params: Params;
  create(name: string, shape: readonly number[], init: Initializer, options?: CreateOptions): tf.Variable;
  get(name: string): tf.Variable;
  has(name: string): boolean;
  fullName(name: string): string;
  scope(prefix: string): ParamScope;
}

/** Engine-wide unique tfjs names: two models (or a replaced variable) never collide. */
let nextVariableId = 0;

export class Params {
  readonly seed: number;
  #order: string[] = [];
  #byName = new Map<string, tf.Variable>();
  #initialValues: ReadonlyMap<string, tf.Tensor> | undefined;
  #disposed = false;

  constructor(options: ParamsOptions) {
    this.seed = options.seed;
    this.#initialValues = options.initialValues;
  }

  /** The seed of the variable (or random choice) called `name`. */
  seedFor(name: string): number {
    return deriveSeed(this.seed, name);
  }

  create(name: string, shape: readonly number[], init: Initializer, options: CreateOptions = {}): tf.Variable {
    this.#checkAlive();
    if (this.#byName.has(name)) throw new Error(`parameter "${name}" already exists`);
    const given = this.#initialValues?.get(name);
    let variable: tf.Variable;
    if (given !== undefined) {
      if (!sameShape(given.shape, shape)) {
        throw new Error(`parameter "${name}": expected shape [${shape.join(', ')}], saved value has [${given.shape.join(', ')}]`);
      }
      variable = makeVariable(name, given);
    } else {
      const value = tf.tidy(() => init(shape, this.seedFor(name)));
      variable = makeVariable(name, value);
      value.dispose();
    }
    this.#insert(name, variable, options.after);
    return variable;
  }

  get(name: string): tf.Variable {
    const variable = this.#byName.get(name);
    if (variable === undefined) throw new Error(`unknown parameter "${name}"`);
    return variable;
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** Replaces a variable's value (its shape may change) keeping its name and position. */
  replace(name: string, value: tf.Tensor): tf.Variable {
    const old = this.get(name);
    const variable = makeVariable(name, value);
    this.#byName.set(name, variable);
    old.dispose();
    return variable;
  }

  /** Renames a parameter in place (same position, same variable). */
  rename(from: string, to: string): void {
    const variable = this.get(from);
    if (this.#byName.has(to)) throw new Error(`parameter "${to}" already exists`);
    this.#byName.delete(from);
    this.#byName.set(to, variable);
    this.#order[this.#order.indexOf(from)] = to;
  }

  /** Removes and disposes a parameter. */
  remove(name: string): void {
    const variable = this.get(name);
    this.#byName.delete(name);
    this.#order.splice(this.#order.indexOf(name), 1);
    variable.dispose();
  }

  /** Names in the fixed order. */
  names(): string[] {
    return [...this.#order];
  }

  /** Variables in the fixed order (the list to give an optimizer). */
  variables(): tf.Variable[] {
    return this.#order.map((name) => this.#byName.get(name)!);
  }

  /** Name -> variable, in the fixed order. */
  entries(): [string, tf.Variable][] {
    return this.#order.map((name) => [name, this.#byName.get(name)!]);
  }

  /** Number of scalar parameters (of the names starting with `prefix/`, when given). */
  countParameters(prefix?: string): number {
    let total = 0;
    for (const [name, variable] of this.#byName) {
      if (prefix === undefined || name.startsWith(`${prefix}/`)) total += variable.size;
    }
    return total;
  }

  scope(prefix: string): ParamScope {
    return makeScope(this, prefix);
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    if (this.#disposed) return;
    for (const variable of this.#byName.values()) variable.dispose();
    this.#byName.clear();
    this.#order = [];
    this.#disposed = true;
  }

  #insert(name: string, variable: tf.Variable, after: string | undefined): void {
    this.#byName.set(name, variable);
    if (after === undefined) {
      this.#order.push(name);
      return;
    }
    const index = this.#order.indexOf(after);
    if (index < 0) throw new Error(`cannot insert "${name}" after unknown parameter "${after}"`);
    this.#order.splice(index + 1, 0, name);
  }

  #checkAlive(): void {
    if (this.#disposed) throw new Error('parameters were disposed');
  }
}

/** A variable holding a float32 copy of `value` (the caller keeps ownership of `value`). */
function makeVariable(name: string, value: tf.Tensor): tf.Variable {
  const copy = tf.tidy(() => (value.dtype === 'float32' ? value.clone() : value.toFloat()));
  const variable = tf.variable(copy, true, `synthstore.${nextVariableId++}/${name}`);
  copy.dispose();
  return variable;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function makeScope(params: Params, prefix: string): ParamScope {
  const fullName = (name: string): string => `${prefix}/${name}`;
  return {
    prefix,
    params,
    create: (name, shape, init, options) =>
      params.create(fullName(name), shape, init, options?.after === undefined ? {} : { after: fullName(options.after) }),
    get: (name) => params.get(fullName(name)),
    has: (name) => params.has(fullName(name)),
    fullName,
    scope: (inner) => makeScope(params, fullName(inner)),
  };
}
