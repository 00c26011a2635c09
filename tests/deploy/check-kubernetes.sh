#!/bin/sh
# make check: the Kubernetes manifests parse and hold the security fields (see
# check-kubernetes.py). Skipped (77) where python3 or its yaml module is missing; CI installs
# python3-yaml and runs the check for real.
srcdir=${HIRESYNC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v python3 >/dev/null 2>&1 || { echo "python3 missing: skipped"; exit 77; }
python3 -c 'import yaml' 2>/dev/null ||
  { echo "python3-yaml missing (apt-get install python3-yaml): skipped"; exit 77; }
exec python3 "$srcdir/tests/deploy/check-kubernetes.py" "$srcdir/manifests/deploy"
