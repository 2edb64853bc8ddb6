import type { HostAdapter } from '../host/host-adapter';
import { HOST_ORIGIN, probeHost, type HostStatus } from './host-status';

/** How often to look for the host: soon while it is offline, rarely once it answers. */
const RETRY_OFFLINE_MS = 3000;
const RECHECK_ONLINE_MS = 10000;

export interface PanelOptions {
  /** Builds the adapter for the current app; a throw is shown in the panel. */
  connectAdapter: () => HostAdapter;
  /** Default: probeHost() against HOST_ORIGIN. */
  probe?: () => Promise<HostStatus>;
}

/**
 * Wires the panel's markup (plugin/ui/index.html): the host status line, and the "Matte Subject" button,
 * which stays disabled until the host answers its health check.
 * @param root - the document whose body UXP shows as the panel
 */
export function startPanel(root: Document, options: PanelOptions): void {
  const status = element(root, 'host-status');
  const message = element(root, 'message');
  const button = element(root, 'matte-subject');
  const probe = options.probe ?? (() => probeHost());

  let adapter: HostAdapter | undefined;
  try {
    adapter = options.connectAdapter();
  } catch (error) {
    message.textContent = describe(error);
  }

  const setEnabled = (enabled: boolean) => {
    // sp-button reads the attribute; it has no `disabled` property in UXP's typings.
    if (enabled) button.removeAttribute('disabled');
    else button.setAttribute('disabled', '');
  };

  const check = async () => {
    const hostStatus = await probe();
    status.textContent =
      hostStatus.state === 'online'
        ? `MatAnyone host ${hostStatus.version} is running.`
        : `MatAnyone host is offline (${hostStatus.reason}). Start it with "matanyone serve" (${HOST_ORIGIN}).`;
    setEnabled(hostStatus.state === 'online' && adapter !== undefined);
    setTimeout(check, hostStatus.state === 'online' ? RECHECK_ONLINE_MS : RETRY_OFFLINE_MS);
  };

  button.addEventListener('click', async () => {
    if (!adapter) return;
    try {
      const media = await adapter.selectedMedia();
      // The job itself (mask, progress, placing the matte) comes with the panel <-> host protocol.
      message.textContent = media
        ? `Selected ${media.kind} "${media.name}".`
        : adapter.hostName() === 'premierepro'
          ? 'Select a clip on the timeline first.'
          : 'Select a layer first.';
    } catch (error) {
      message.textContent = describe(error);
    }
  });

  void check();
}

function element(root: Document, id: string): HTMLElement {
  const found = root.getElementById(id);
  if (!found) throw new Error(`index.html has no #${id}`);
  return found;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
