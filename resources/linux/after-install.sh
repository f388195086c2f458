#!/bin/bash
# SockLab's .deb post-install step (electron-builder fills in ${executable} and
# ${sanitizedProductName}). It does what any Electron .deb needs — the command on PATH, the
# sandbox helper's mode, the desktop databases — and two things of SockLab's own:
#  1. the AppArmor profile that lets SockLab (and only SockLab) make the user namespaces its lab
#     network runs in (Ubuntu 23.10+ restricts them), loaded only where AppArmor understands it;
#  2. the capture privilege model: SockLab never holds a capture privilege itself. Host capture
#     goes through Wireshark's dumpcap and its `wireshark` group; this step says how to join.
set -u
APP_DIR='/opt/${sanitizedProductName}'
BIN='${executable}'

# The command on PATH, through alternatives where the system has them.
if type update-alternatives >/dev/null 2>&1; then
  update-alternatives --install "/usr/bin/$BIN" "$BIN" "$APP_DIR/$BIN" 100 || ln -sf "$APP_DIR/$BIN" "/usr/bin/$BIN"
else
  ln -sf "$APP_DIR/$BIN" "/usr/bin/$BIN"
fi

# Chromium's set-uid sandbox helper is needed only where user namespaces do not work.
if [ -L /proc/self/ns/user ] && unshare --user true 2>/dev/null; then
  chmod 0755 "$APP_DIR/chrome-sandbox" || true
else
  chmod 4755 "$APP_DIR/chrome-sandbox" || true
fi

if hash update-desktop-database 2>/dev/null; then update-desktop-database /usr/share/applications || true; fi
if hash update-mime-database 2>/dev/null; then update-mime-database /usr/share/mime || true; fi

# 1. AppArmor: install and load the profile only if this AppArmor parses it (abi 4.0).
if hash apparmor_parser 2>/dev/null && apparmor_status --enabled >/dev/null 2>&1; then
  PROFILE_SOURCE="$APP_DIR/resources/apparmor-profile"
  PROFILE_TARGET="/etc/apparmor.d/$BIN"
  if apparmor_parser --skip-kernel-load --debug "$PROFILE_SOURCE" >/dev/null 2>&1; then
    cp -f "$PROFILE_SOURCE" "$PROFILE_TARGET"
    if ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; }; then
      apparmor_parser --replace --write-cache --skip-read-cache "$PROFILE_TARGET" || true
    fi
  else
    echo "SockLab: this AppArmor does not parse the bundled profile (it needs abi 4.0); none is needed before Ubuntu 23.10."
  fi
fi

# 2. Capture on the host's interfaces: through dumpcap and its group, never a capability on SockLab.
if [ -x /usr/bin/dumpcap ] && getent group wireshark >/dev/null 2>&1; then
  echo "SockLab: to capture on this machine's interfaces, join the wireshark group: sudo usermod -aG wireshark \$USER (then log in again)."
else
  echo "SockLab: to capture on this machine's interfaces, install Wireshark's dumpcap: sudo apt-get install wireshark-common (answer Yes to non-superuser capture), then: sudo usermod -aG wireshark \$USER."
fi
echo "SockLab: the lab network needs no privileges. Open SockLab and its Privileges button shows what works here."
exit 0
