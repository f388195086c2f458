/** English for the rest of Linux's errno numbers: the C library's sentence, from src/shared/errno-linux.ts. */
import { OTHER_LINUX_ERRNO } from '@shared/errno-linux';

type OtherErrno = keyof typeof OTHER_LINUX_ERRNO;

export const otherErrnoEn = Object.fromEntries(
  (Object.keys(OTHER_LINUX_ERRNO) as OtherErrno[]).map((name) => [name, OTHER_LINUX_ERRNO[name].text]),
) as Record<OtherErrno, string>;
