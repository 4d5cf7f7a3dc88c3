import { InitialSchema1764380000000 } from './1764380000000-initial-schema';

/** In order; listed explicitly so the bundle, the CLI and tests load the same set without globbing. */
export const MIGRATIONS = [InitialSchema1764380000000];
