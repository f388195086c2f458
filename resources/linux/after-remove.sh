#!/bin/bash
# SockLab's .deb removal step: takes back what after-install.sh put in place.
BIN='${executable}'
if type update-alternatives >/dev/null 2>&1; then
  update-alternatives --remove "$BIN" '/opt/${sanitizedProductName}/${executable}' || true
fi
rm -f "/usr/bin/$BIN"
if [ -f "/etc/apparmor.d/$BIN" ]; then
  if hash apparmor_parser 2>/dev/null; then apparmor_parser --remove "/etc/apparmor.d/$BIN" 2>/dev/null || true; fi
  rm -f "/etc/apparmor.d/$BIN"
fi
exit 0
