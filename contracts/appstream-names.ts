/**
 * AppStream 2.0's naming rules, which configs check before any call is made (aws-ids.ts) and
 * a run checks again on the names it makes: AWS would refuse the same values, but only after the run
 * has started.
 */

/** AWS's pattern for AppStream image and image-builder names. */
export const APPSTREAM_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,100}$/;
export const APPSTREAM_NAME_RULE = 'must be 1-101 letters, digits, ".", "_" or "-", starting with a letter or digit';
