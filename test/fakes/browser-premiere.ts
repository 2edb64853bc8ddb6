/**
 * Entry of the fake-modules bundle for a browser page (test/fakes/webpack.fakes.config.js). Loaded before the
 * panel's index.js, it plays the part of UXP inside Premiere: `require('uxp')` and `require('premierepro')` give
 * the fakes (the panel bundle keeps them as runtime requires), built from the JSON scenario the page put in
 * globalThis.__FAKE_PREMIERE_SCENARIO__. The fake's state is globalThis.__fakePremiere, for the test to read
 * (undoStack, tracks(), bins(), imports) or drive (select(), undo()).
 */
import { createFakePremiere, type FakePremiereState } from './premierepro';
import { scenarioFromJson, type FakePremiereScenarioJson } from './premiere/scenario-json';
import { createFakeUxp, memoryFileStore } from './uxp';

interface FakePage {
  __FAKE_PREMIERE_SCENARIO__?: FakePremiereScenarioJson | string;
  __fakePremiere?: FakePremiereState;
  require?: (name: string) => unknown;
}

const page = globalThis as unknown as FakePage;
const given = page.__FAKE_PREMIERE_SCENARIO__;
if (!given) throw new Error('set globalThis.__FAKE_PREMIERE_SCENARIO__ before loading the fake modules');
const scenario: FakePremiereScenarioJson = typeof given === 'string' ? JSON.parse(given) : given;

const { ppro, state } = createFakePremiere(scenarioFromJson(scenario));
const modules: Record<string, unknown> = {
  uxp: createFakeUxp({ hostName: scenario.hostName ?? 'premierepro', files: memoryFileStore() }),
  premierepro: ppro,
};
page.require = (name) => {
  if (!(name in modules)) throw new Error(`Cannot find module '${name}' (the fake UXP page has uxp and premierepro)`);
  return modules[name];
};
page.__fakePremiere = state;
