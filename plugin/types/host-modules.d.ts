import type { premierepro } from '@adobe/premierepro';

declare global {
  /**
   * UXP's CommonJS `require`, narrowed to the host modules the panel loads at run time. webpack leaves these
   * external (`commonjs2`), so the call reaches the host app. Only plugin/host/index.ts calls it.
   */
  function require(id: 'premierepro'): premierepro;
  function require(id: 'photoshop'): typeof import('photoshop');
}

export {};
