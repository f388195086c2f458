/** A privilege plan for renderer tests: a Linux user with everything set up but host raw sockets. */
import type { PrivilegePlan } from '@shared/privileges';

export const READY_PLAN: PrivilegePlan = {
  platform: 'linux',
  items: [
    { ability: 'labNetwork', ready: true, via: 'userNamespace', reason: 'usernsReady', params: {}, command: null },
    {
      ability: 'hostCapture',
      ready: true,
      via: 'dumpcap',
      reason: 'captureDumpcap',
      params: { group: 'wireshark', user: 'ada', path: '/usr/bin/dumpcap' },
      command: null,
    },
    { ability: 'hostRawSockets', ready: false, via: 'labNetwork', reason: 'rawUseLabNetwork', params: {}, command: 'sudo npm run serve' },
  ],
};
