/**
 * The tabs of the bottom dock. A new view (the packet list, for one) is one more entry here.
 * The ladder is not among them: it sits beside the call panel (WorkbenchView).
 */
import type { Component } from 'vue';
import TranscriptView from '@renderer/components/TranscriptView.vue';
import CallLog from '@renderer/components/CallLog.vue';
import PacketsView from './PacketsView.vue';
import ExercisesPanel from '@renderer/components/exercises/ExercisesPanel.vue';
import ReferencePanel from '@renderer/components/reference/ReferencePanel.vue';
import PingView from './PingView.vue';
import NetworkPanel from '@renderer/components/network/NetworkPanel.vue';
import TcpInfoPanel from '@renderer/components/tcpinfo/TcpInfoPanel.vue';

export interface DockTab {
  id: string;
  /** i18n key of the tab's title. */
  labelKey: string;
  component: Component;
  /** data-testid of the tab button, when not `tab-<id>`. */
  testId?: string;
}

export const DOCK_TABS: readonly DockTab[] = [
  { id: 'transcript', labelKey: 'tabs.transcript', component: TranscriptView },
  { id: 'calls', labelKey: 'tabs.callLog', component: CallLog },
  { id: 'packets', labelKey: 'packets.tab', component: PacketsView, testId: 'packets-tab' },
  { id: 'exercises', labelKey: 'exercises.tab', component: ExercisesPanel },
  { id: 'reference', labelKey: 'reference.tab', component: ReferencePanel },
  { id: 'ping', labelKey: 'ping.tab', component: PingView },
  { id: 'network', labelKey: 'network.tab', component: NetworkPanel },
  { id: 'tcpinfo', labelKey: 'tcpinfo.tab', component: TcpInfoPanel },
];
