/**
 * The order retention keeps images in, newest first: the order their runs released them. The release
 * tag's value is an ISO time in milliseconds, written when the run finished. Creation times cannot
 * decide it alone: EC2's CreationDate is in whole seconds, so images made in the same second would
 * tie, and the ID that broke the tie is random. An image without the tag (listed by a run from before
 * retention required it) counts from its creation; the ID only decides true ties, so that every call
 * at least gives the same order.
 */
import { RELEASED_TAG } from '../contracts/tags';

interface Dated {
  id: string;
  /** ISO time of creation, as AWS reports it. */
  created: string;
  tags: Record<string, string | undefined>;
}

const releasedAt = (image: Dated) => image.tags[RELEASED_TAG] ?? image.created;

/** A comparator for `sort`, given how to read an item's ID, creation time and tags. */
export function newestReleasedFirst<T>(dated: (item: T) => Dated): (a: T, b: T) => number {
  return (x, y) => {
    const a = dated(x);
    const b = dated(y);
    return releasedAt(b).localeCompare(releasedAt(a)) || b.created.localeCompare(a.created) || b.id.localeCompare(a.id);
  };
}
