import { clientErrorAnswer } from './http-server';

describe("Node's own client errors in the error model", () => {
  it('maps the parser and timeout codes to statuses and codes', () => {
    expect(clientErrorAnswer('HPE_HEADER_OVERFLOW')[0]).toBe(431);
    expect(clientErrorAnswer('ERR_HTTP_REQUEST_TIMEOUT')).toEqual([
      408,
      { error: { code: 'request_timeout', message: expect.any(String) } },
    ]);
    expect(clientErrorAnswer('HPE_INVALID_HEADER_TOKEN')[1].error.code).toBe('bad_request');
    expect(clientErrorAnswer(undefined)[0]).toBe(400);
  });
});
