import { appStreamBuilderActions } from './builders';
import { appStreamFleetActions } from './fleets';
import { appStreamImageCopyActions } from './image-copy';
import { appStreamImageActions } from './images';
import { appStreamImagePermissionActions } from './image-permissions';
import { rpcV2Cbor } from './cbor-protocol';
import { appStreamTagActions } from './tags';
import { appStreamBucketFor } from './throttle';
import { jsonService, structureService, type JsonAction, type StructureServiceSpec } from '../core/json-service';
import type { AppStreamState } from './state';

/** AppStream 2.0: one set of actions, reached over AWS JSON 1.1 or Smithy RPC v2 CBOR. */

const APPSTREAM_ACTIONS: Record<string, JsonAction<AppStreamState>> = {
  ...appStreamImageActions,
  ...appStreamImageCopyActions,
  ...appStreamImagePermissionActions,
  ...appStreamBuilderActions,
  ...appStreamFleetActions,
  ...appStreamTagActions,
};

const APPSTREAM: StructureServiceSpec<AppStreamState> = { name: 'appstream', actions: APPSTREAM_ACTIONS, bucketFor: appStreamBucketFor };

export const appStreamJsonService = jsonService({ ...APPSTREAM, targetPrefix: 'PhotonAdminProxyService' });
export const appStreamCborService = structureService(APPSTREAM, rpcV2Cbor);
