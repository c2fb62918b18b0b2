import { FilesystemObjectStore } from './fs-store.js';
import type { FilesystemStoreOptions } from './fs-store.js';
import type { ObjectStore } from './object-store.js';
import { S3ObjectStore } from './s3-store.js';
import type { S3StoreOptions } from './s3-store.js';

export type ObjectStoreOptions = ({ kind: 'filesystem' } & FilesystemStoreOptions) | ({ kind: 's3' } & S3StoreOptions);

/**
 * The object store for this deployment: the filesystem in embedded mode, S3 when `S3_*` is set.
 * Creating an S3 store does not load the AWS SDK; its first call does.
 */
export function createObjectStore(opts: ObjectStoreOptions): ObjectStore {
  switch (opts.kind) {
    case 'filesystem':
      return new FilesystemObjectStore(opts);
    case 's3':
      return new S3ObjectStore(opts);
  }
}

export { ObjectNotFound, ObjectSizeMismatch, RangeNotSatisfiable } from './object-store.js';
export type { ByteRange, GetResult, ObjectBody, ObjectInfo, ObjectStore, PutOptions, SignedUrlOptions } from './object-store.js';
export { assertValidKey, assertValidPrefix, InvalidObjectKey, keyProblem, MAX_KEY_BYTES, objectKey } from './keys.js';
export { parseRange } from './range.js';
export type { ResolvedRange } from './range.js';
export {
  assertUsableSecret,
  attachmentDisposition,
  encodeKeyPath,
  OBJECTS_PATH_PREFIX,
  signedObjectPath,
  signObjectGrant,
  verifyObjectSignature,
} from './signing.js';
export type { ObjectGrant, SignatureCheck, SignedPathOptions, SignedQuery } from './signing.js';
export { FilesystemObjectStore } from './fs-store.js';
export type { FilesystemStoreOptions } from './fs-store.js';
export { S3ObjectStore } from './s3-store.js';
export type { S3StoreOptions } from './s3-store.js';
