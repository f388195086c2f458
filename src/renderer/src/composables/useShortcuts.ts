/**
 * Wires the shortcut table (lib/shortcuts.ts) to the workbench: calls on the selected socket,
 * cancel, focus the new-socket form, the packets-only layout, help. Listens on window while the component lives.
 */
import { onBeforeUnmount, onMounted } from 'vue';
import { shortcutFor, type ShortcutAction } from '@renderer/lib/shortcuts';
import type { PanelCall } from '@renderer/lib/calls';
import { useSocketsStore } from '@renderer/stores/sockets';
import { useCallsStore } from '@renderer/stores/calls';
import { useCallPanelStore } from '@renderer/stores/callPanel';

export interface ShortcutHooks {
  focusNewSocket(): void;
  showHelp(): void;
  /** Packets in the whole window, or back to the workbench. */
  togglePacketsFocus(): void;
}

/** Installs the workbench shortcuts for the lifetime of the calling component. */
export function useShortcuts(hooks: ShortcutHooks): void {
  const sockets = useSocketsStore();
  const calls = useCallsStore();
  const panel = useCallPanelStore();

  /** send/recv become sendto/recvfrom on a datagram socket that has no default peer. */
  function callFor(action: 'send' | 'recv'): PanelCall {
    const info = sockets.selected;
    const datagram = info !== null && info.type !== 'SOCK_STREAM' && info.state !== 'connected';
    if (action === 'send') return datagram ? 'sendto' : 'send';
    return datagram ? 'recvfrom' : 'recv';
  }

  function perform(action: ShortcutAction): void {
    switch (action) {
      case 'newSocket':
        return hooks.focusNewSocket();
      case 'help':
        return hooks.showHelp();
      case 'packetsFocus':
        return hooks.togglePacketsFocus();
      case 'cancel': {
        const info = sockets.selected;
        if (info?.blockedIn) void calls.cancel(info.fd);
        return;
      }
      case 'send':
      case 'recv':
        void panel.run(callFor(action));
        return;
      default:
        void panel.run(action);
    }
  }

  function onKeydown(event: KeyboardEvent): void {
    const action = shortcutFor(event);
    if (!action) return;
    event.preventDefault();
    perform(action);
  }

  onMounted(() => window.addEventListener('keydown', onKeydown));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKeydown));
}
