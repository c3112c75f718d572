import { HttpStatus, ParseUUIDPipe } from '@nestjs/common';
import { ApiException } from '@lab/platform/http';

/** A path id that is not a UUID is the client's mistake: 400, never a lookup. */
export const ParseId = new ParseUUIDPipe({
  exceptionFactory: () =>
    new ApiException(
      HttpStatus.BAD_REQUEST,
      'invalid_id',
      'The id in the path is not a valid UUID',
    ),
});
