import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppStreamServiceException } from '@aws-sdk/client-appstream';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { ApplicationFailure } from '@temporalio/common';
import { classifyAwsError, toTemporalFailure } from '../activities/aws/errors';

function ec2Error(name: string, status: number, fault: 'client' | 'server' = status >= 500 ? 'server' : 'client') {
  return new EC2ServiceException({ name, $fault: fault, $metadata: { httpStatusCode: status }, message: `${name} happened` });
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:4577`), { code });
}

describe('AWS error classification', () => {
  const cases: [string, unknown, boolean][] = [
    ['EC2 throttling (503 RequestLimitExceeded)', ec2Error('RequestLimitExceeded', 503), true],
    ['EC2 500 InternalError', ec2Error('InternalError', 500), true],
    ['EC2 503 Unavailable', ec2Error('Unavailable', 503), true],
    [
      'AppStream ThrottlingException',
      new AppStreamServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } }),
      true,
    ],
    ['connection reset', networkError('ECONNRESET'), true],
    ['connection refused', networkError('ECONNREFUSED'), true],
    ['SDK request timeout', Object.assign(new Error('Connection timed out after 30000 ms'), { name: 'TimeoutError' }), true],
    ['InvalidParameterValue', ec2Error('InvalidParameterValue', 400), false],
    ['InvalidAMIID.Malformed', ec2Error('InvalidAMIID.Malformed', 400), false],
    ['InvalidInstanceID.NotFound', ec2Error('InvalidInstanceID.NotFound', 400), false],
    ['UnauthorizedOperation', ec2Error('UnauthorizedOperation', 403), false],
    ['AuthFailure', ec2Error('AuthFailure', 401), false],
    ['IncorrectInstanceState', ec2Error('IncorrectInstanceState', 400), false],
    [
      'AppStream InvalidParameterCombinationException',
      new AppStreamServiceException({ name: 'InvalidParameterCombinationException', $fault: 'client', $metadata: { httpStatusCode: 400 } }),
      false,
    ],
    [
      'AppStream OperationNotPermittedException',
      new AppStreamServiceException({ name: 'OperationNotPermittedException', $fault: 'client', $metadata: { httpStatusCode: 400 } }),
      false,
    ],
  ];
  for (const [label, err, retryable] of cases) {
    test(`${label} → ${retryable ? 'retryable' : 'non-retryable'}`, () => {
      assert.equal(classifyAwsError(err).retryable, retryable);
    });
  }

  test('the failure carries AWS code as its type and AWS message in its text', () => {
    const failure = toTemporalFailure(ec2Error('InvalidAMIName.Duplicate', 400), 'CreateImage');
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'InvalidAMIName.Duplicate');
    assert.equal(failure.nonRetryable, true);
    assert.equal(failure.message, 'CreateImage failed: InvalidAMIName.Duplicate: InvalidAMIName.Duplicate happened');
  });

  test('an ApplicationFailure passes through unchanged', () => {
    const original = ApplicationFailure.nonRetryable('no', 'Custom');
    assert.equal(toTemporalFailure(original, 'X'), original);
    assert.deepEqual(classifyAwsError(original), { code: 'Custom', message: 'no', retryable: false, throttling: false });
  });
});

function appStreamError(name: string, status = 400, extra: object = {}) {
  return Object.assign(
    new AppStreamServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name }),
    extra,
  );
}

describe('AWS error classification: quotas, conflicts and credentials', () => {
  const cases: [string, unknown, { retryable: boolean; throttling?: boolean }][] = [
    // AppStream's LimitExceededException is a quota ("the requested limit exceeds the permitted limit for an
    // account"): waiting does not raise it, so retrying for the activity's whole budget only delays the failure.
    ['AppStream LimitExceededException (a quota)', appStreamError('LimitExceededException'), { retryable: false, throttling: false }],
    ['EC2 RequestLimitExceeded (throttling)', ec2Error('RequestLimitExceeded', 503), { retryable: true, throttling: true }],
    ['AppStream ThrottlingException', appStreamError('ThrottlingException'), { retryable: true, throttling: true }],
    ['HTTP 429 of any name', appStreamError('SlowDownPlease', 429), { retryable: true, throttling: true }],
    ['AppStream ConcurrentModificationException (transient)', appStreamError('ConcurrentModificationException'), { retryable: true }],
    // The SDK marks errors its service model declares retryable; its word counts.
    ['an error the SDK marks $retryable', appStreamError('SomeModeledRetryableError', 400, { $retryable: {} }), { retryable: true }],
    [
      'an error the SDK marks $retryable.throttling',
      appStreamError('SomeModeledThrottle', 400, { $retryable: { throttling: true } }),
      { retryable: true, throttling: true },
    ],
    // Temporary credentials expire and the provider refreshes them: the next attempt signs with new ones.
    ['STS-style ExpiredToken', ec2Error('ExpiredToken', 400), { retryable: true }],
    ['AppStream ExpiredTokenException', appStreamError('ExpiredTokenException', 403), { retryable: true }],
    ['EC2 RequestExpired', ec2Error('RequestExpired', 400), { retryable: true }],
    [
      'the credential provider failing while it refreshes',
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError', tryNextLink: false }),
      { retryable: true },
    ],
  ];
  for (const [label, err, expected] of cases) {
    test(`${label} → ${expected.retryable ? 'retryable' : 'non-retryable'}`, () => {
      const info = classifyAwsError(err);
      assert.equal(info.retryable, expected.retryable);
      if (expected.throttling !== undefined) assert.equal(info.throttling, expected.throttling);
    });
  }
});
