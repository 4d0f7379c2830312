#!/usr/bin/env bash
# Ray's own Python venv for the Ray cluster tests (scripts/components/ray.sh starts a head
# and a second node from it). Apart from the peers' venv: Ray is large (~1 GB installed) and
# adding it there would change the peers' hash for everyone. Built once per requirements
# hash (lib.sh), linked as .venv-ray.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cached_venv ray "$root/scripts/setup/ray-requirements.txt" "the Ray tests will skip" || exit 0
echo "ray: $("$venv/bin/python" -c 'import ray;print("ray",ray.__version__)')"
