/**
 * Component chains: each clip's fixed effects (Opacity, Motion, optionally Time Remapping) and any effect
 * appended by an action. Parameter writes go through the engine, so they need lockedAccess like every action.
 */
import type {
  ComponentApi,
  ComponentParamApi,
  KeyframeApi,
  VideoComponentChainApi,
  VideoFilterComponent,
} from '../../../plugin/host/premiere-api';
import { FakeEditRefused, FakeRuleError, type Engine } from './engine';
import { FakeKeyframe, fromParamValue, sameKind, type FakeParamValue } from './values';

export const MOTION = 'AE.ADBE Motion';
export const OPACITY = 'AE.ADBE Opacity';
export const TIME_REMAPPING = 'AE.ADBE Time Remapping';
export const TRACK_MATTE_KEY = 'AE.ADBE Track Matte Key';

/** Motion's parameters in Premiere's order, with a new clip's values (Position and Anchor Point in frame fractions). */
export const MOTION_DEFAULTS: ReadonlyArray<[string, FakeParamValue]> = [
  ['Position', { x: 0.5, y: 0.5 }],
  ['Scale', 100],
  ['Scale Width', 100],
  ['Uniform Scale', true],
  ['Rotation', 0],
  ['Anchor Point', { x: 0.5, y: 0.5 }],
  ['Anti-flicker Filter', 0],
  ['Crop Left', 0],
  ['Crop Top', 0],
  ['Crop Right', 0],
  ['Crop Bottom', 0],
];

/** The parameters an effect gets when appended; the Track Matte Key's Matte popup starts at "None". */
const EFFECT_PARAMS: Record<string, ReadonlyArray<[string, FakeParamValue]>> = {
  [TRACK_MATTE_KEY]: [
    ['Matte', 0],
    ['Composite Using', 0],
    ['Reverse', false],
  ],
};

/** What VideoFilterFactory.createComponent resolves: an effect not yet on any clip. */
export class FakeFilterComponent implements VideoFilterComponent {
  used = false;
  constructor(readonly matchName: string) {}
}

export class FakeParam implements ComponentParamApi {
  constructor(
    private readonly engine: Engine,
    private readonly owner: () => string,
    readonly displayName: string,
    public value: FakeParamValue,
    public keyframed = false,
  ) {}

  isTimeVarying(): boolean {
    return this.keyframed;
  }

  clone(owner: () => string): FakeParam {
    return new FakeParam(this.engine, owner, this.displayName, this.value, this.keyframed);
  }

  async getStartValue(): Promise<KeyframeApi> {
    return new FakeKeyframe(this.value);
  }

  createKeyframe(value: Parameters<ComponentParamApi['createKeyframe']>[0]): KeyframeApi {
    const fake = fromParamValue(value);
    if (!sameKind(fake, this.value)) throw new Error(`${this.displayName} cannot hold ${JSON.stringify(fake)}`);
    return new FakeKeyframe(fake);
  }

  createSetValueAction(keyframe: KeyframeApi): ReturnType<ComponentParamApi['createSetValueAction']> {
    if (!(keyframe instanceof FakeKeyframe)) throw new FakeRuleError('createSetValueAction takes a keyframe from createKeyframe');
    const value = fromParamValue(keyframe.value.value);
    const record = { kind: 'setValue' as const, item: this.owner(), param: this.displayName, value: JSON.stringify(value) };
    return this.engine.createAction(record, () => {
      // "set the value of a non-time varying component" (types): a keyframed one needs keyframe actions.
      if (this.keyframed) throw new FakeEditRefused(`${this.displayName} is keyframed`);
      const before = this.value;
      this.value = value;
      return () => {
        this.value = before;
      };
    });
  }
}

export class FakeComponent implements ComponentApi {
  constructor(
    readonly matchName: string,
    readonly params: FakeParam[],
  ) {}

  async getMatchName(): Promise<string> {
    return this.matchName;
  }

  getParamCount(): number {
    return this.params.length;
  }

  getParam(index = 0): FakeParam {
    const param = this.params[index];
    if (!param) throw new Error(`${this.matchName} has no parameter ${index}`);
    return param;
  }
}

export class FakeChain implements VideoComponentChainApi {
  constructor(
    private readonly engine: Engine,
    private readonly owner: () => string,
    readonly components: FakeComponent[],
  ) {}

  getComponentCount(): number {
    return this.components.length;
  }

  /** The same effects with the same values, for the other half of a split clip. */
  clone(owner: () => string): FakeChain {
    const components = this.components.map(
      (component) => new FakeComponent(component.matchName, component.params.map((param) => param.clone(owner))),
    );
    return new FakeChain(this.engine, owner, components);
  }

  getComponentAtIndex(index: number): FakeComponent {
    const component = this.components[index];
    if (!component) throw new Error(`the chain has no component ${index}`);
    return component;
  }

  createAppendComponentAction(component: VideoFilterComponent): ReturnType<VideoComponentChainApi['createAppendComponentAction']> {
    if (!(component instanceof FakeFilterComponent)) {
      throw new FakeRuleError('createAppendComponentAction takes a component from VideoFilterFactory.createComponent');
    }
    const record = { kind: 'appendComponent' as const, item: this.owner(), matchName: component.matchName };
    return this.engine.createAction(record, () => {
      if (component.used) throw new FakeEditRefused(`${component.matchName} is already on a clip`);
      component.used = true;
      const params = (EFFECT_PARAMS[component.matchName] ?? []).map(
        ([name, value]) => new FakeParam(this.engine, this.owner, name, value),
      );
      this.components.push(new FakeComponent(component.matchName, params));
      return () => {
        this.components.pop();
        component.used = false;
      };
    });
  }
}

/** A clip's fixed effects: Opacity, Motion (with overrides and keyframed params), and Time Remapping if ramped. */
export function fixedEffects(
  engine: Engine,
  owner: () => string,
  options: { motion?: Record<string, FakeParamValue>; keyframed?: string[]; timeRemapped?: boolean } = {},
): FakeComponent[] {
  const param = (name: string, value: FakeParamValue, keyframed = false) =>
    new FakeParam(engine, owner, name, value, keyframed);
  const motion = MOTION_DEFAULTS.map(([name, value]) =>
    param(name, options.motion?.[name] ?? value, options.keyframed?.includes(name) ?? false),
  );
  const components = [new FakeComponent(OPACITY, [param('Opacity', 100), param('Blend Mode', 0)]), new FakeComponent(MOTION, motion)];
  if (options.timeRemapped) components.push(new FakeComponent(TIME_REMAPPING, [param('Speed', 100, true)]));
  return components;
}
