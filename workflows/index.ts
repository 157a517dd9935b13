/** Every workflow type the worker registers. */
export { amiPipeline } from './ami-pipeline';
