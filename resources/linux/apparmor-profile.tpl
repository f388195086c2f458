# SockLab's AppArmor profile. The .deb installs it as /etc/apparmor.d/${executable} where
# AppArmor understands abi 4.0 (Ubuntu 24.04 and later; 23.10 restricts user namespaces too).
#
# Why: Ubuntu lets an unconfined program create a user namespace only to drop it into the
# `unprivileged_userns` profile, which denies every capability inside. The lab network needs
# CAP_NET_ADMIN/CAP_NET_RAW inside its OWN namespace (network namespaces, TAP devices, capture),
# never on the host. This profile grants `userns` to SockLab alone and nothing else: it stays
# unconfined otherwise, like the browsers Ubuntu ships profiles for.
abi <abi/4.0>,
include <tunables/global>

profile "${executable}" "/opt/${sanitizedProductName}/${executable}" flags=(unconfined) {
  userns,

  # The lab-network engine is started through util-linux `unshare`, which is the process that
  # creates the namespace; it runs in a child profile that may do so, instead of falling to
  # unprivileged_userns like any other program.
  /usr/bin/unshare cx -> lab_network,
  profile lab_network flags=(unconfined) {
    userns,
  }

  # Site-specific additions and overrides.
  include if exists <local/${executable}>
}
