import { libraryConfig } from '../../tooling/tsup-config.js';

export default libraryConfig(import.meta.dirname);
