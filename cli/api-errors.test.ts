import { describe, expect, it } from 'vitest';
import { apiFailure } from './api-errors.js';
import { ServerError } from './errors.js';

const status = (code: number, reason: string, message: string, details?: object) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, details });

describe('apiFailure', () => {
  it.each([
    ['GET', 404, status(404, 'NotFound', 'pods "x" not found'), 'Error from server (NotFound): pods "x" not found'],
    ['POST', 409, status(409, 'AlreadyExists', 'deployments.apps "web" already exists'), 'Error from server (AlreadyExists): deployments.apps "web" already exists'],
    ['GET', 404, 'no such page', 'Error from server (NotFound): the server could not find the requested resource (get pods)'],
    ['GET', 500, 'boom', 'Error from server (InternalError): an error on the server ("boom") has prevented the request from succeeding'],
    [
      'POST',
      422,
      status(422, 'Invalid', 'Deployment.apps "bad" is invalid: spec.selector: Required value', {
        name: 'bad',
        group: 'apps',
        kind: 'Deployment',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' }],
      }),
      'The Deployment "bad" is invalid: spec.selector: Required value',
    ],
    [
      'PATCH',
      422,
      status(422, 'Invalid', 'x', { name: 'web', kind: 'Deployment', causes: [{ reason: 'a', message: 'm1', field: 'f1' }, { reason: 'b', message: 'm2' }] }),
      'The Deployment "web" is invalid: \n* f1: m1\n* m2',
    ],
    ['GET', 422, status(422, 'Invalid', 'bad selector'), 'Error from server (Invalid): bad selector'],
  ])('%s %d → kubectl wording', (method, code, body, want) => {
    const err = apiFailure(method, '/api/v1/namespaces/default/pods/x', code, body);
    expect(err).toBeInstanceOf(ServerError);
    expect(err.message).toBe(want);
  });

  it('words a 401 as an error: line, like kubectl', () => {
    const err = apiFailure('GET', '/api/v1/pods', 401, status(401, 'Unauthorized', 'Unauthorized'));
    expect(err).not.toBeInstanceOf(ServerError);
    expect(err.message).toBe('You must be logged in to the server (Unauthorized)');
  });
});
