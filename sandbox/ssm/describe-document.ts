import { ApiError } from '../core/errors';
import type { JsonAction } from '../core/json-service';
import { AWS_DOCUMENT_VERSION, requireDocument } from './documents';
import { DOCUMENT_ARN, DOCUMENT_VERSION } from './run-command';
import type { SsmState } from './state';

/**
 * DescribeDocument over the AWS documents in documents.ts: their type, platforms and parameters, a parameter
 * without a DefaultValue being required. An unknown name is InvalidDocument, a version the document does not
 * have InvalidDocumentVersion. AWS's documents have no version names, so naming one finds no document. The
 * sandbox holds no document content, so there is no Hash to give.
 */

const VERSION_NAME = /^[a-zA-Z0-9_\-.]{1,128}$/;

const describeDocument: JsonAction<SsmState> = (params) => {
  const name = params.requiredString('Name', { pattern: DOCUMENT_ARN });
  const version = params.string('DocumentVersion', { pattern: DOCUMENT_VERSION });
  const versionName = params.string('VersionName', { pattern: VERSION_NAME });
  const document = requireDocument(name, version);
  if (versionName !== undefined) {
    throw new ApiError('InvalidDocument', `Document with name ${name} and version name ${versionName} does not exist.`);
  }
  return {
    Document: {
      Name: document.name,
      Owner: 'Amazon',
      Status: 'Active',
      DocumentVersion: AWS_DOCUMENT_VERSION,
      Description: document.description,
      Parameters: Object.entries(document.parameters).map(([parameter, rule]) => ({
        Name: parameter,
        Type: rule.type,
        Description: rule.description,
        ...(rule.default !== undefined && { DefaultValue: rule.default }),
      })),
      PlatformTypes: [...document.platforms],
      DocumentType: 'Command',
      SchemaVersion: document.schemaVersion,
      LatestVersion: AWS_DOCUMENT_VERSION,
      DefaultVersion: AWS_DOCUMENT_VERSION,
      DocumentFormat: 'JSON',
      Tags: [],
    },
  };
};

export const documentActions: Record<string, JsonAction<SsmState>> = {
  DescribeDocument: describeDocument,
};
