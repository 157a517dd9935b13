/**
 * The Node flags the production worker runs with (`npm run worker` passes the same). V8 lets a heap
 * grow toward its default limit, several GiB on a large machine, before it collects in earnest, so a
 * worker running 1000 pipelines held 1.5–2 GiB that was mostly garbage. A 512 MiB heap keeps the
 * worker near 1 GiB in all at that scale, for some more CPU spent collecting.
 */
export const WORKER_NODE_ARGS = ['--max-old-space-size=512'];
