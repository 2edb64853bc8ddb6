/**
 * The part of the `photoshop` module (types: @types/photoshop 25.0.4) that the Photoshop adapter calls. Members
 * are picked from the official types; the DOM classes (Document, Layer) carry private fields, so they are
 * described by the getters the adapter reads. The assertion at the end proves the official module fits, so the
 * fake in test/fakes/photoshop.ts implements the same surface.
 */
type Photoshop = typeof import('photoshop');
type Imaging = Photoshop['imaging'];
type Core = Photoshop['core'];
type ActionModule = Photoshop['action'];

export type PhotoshopImageData = Imaging extends { createImageDataFromBuffer(...args: never[]): Promise<infer T> }
  ? T
  : never;
export type ExecutionContext = Parameters<Parameters<Core['executeAsModal']>[0]>[0];
export type ActionDescriptor = Parameters<ActionModule['batchPlay']>[0][number];

export interface BoundsApi {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

export interface LayerApi {
  readonly id: number;
  readonly name: string;
  /** constants.LayerKind; "pixel" for a pixel layer. Read as a string so that callers compare to the value. */
  readonly kind: string;
  readonly isBackgroundLayer: boolean;
  readonly bounds: BoundsApi;
}

export interface DocumentApi {
  readonly id: number;
  readonly path: string;
  readonly activeLayers: ArrayLike<LayerApi>;
  /** Selection DOM, Photoshop 25.0+: bounds is null when nothing is selected. */
  readonly selection: { readonly bounds: BoundsApi | null };
}

export interface PhotoshopApi {
  app: {
    readonly documents: ArrayLike<DocumentApi>;
    readonly activeDocument: DocumentApi | null;
  };
  core: Pick<Core, 'executeAsModal'>;
  action: Pick<ActionModule, 'batchPlay'>;
  imaging: Pick<Imaging, 'getPixels' | 'getSelection' | 'getLayerMask' | 'createImageDataFromBuffer' | 'putLayerMask'>;
}

/** Compile-time proof that the official module satisfies the surface. */
type Satisfies<Official extends Surface, Surface> = Official;
export type OfficialPhotoshop = Satisfies<Photoshop, PhotoshopApi>;
