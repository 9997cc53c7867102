#!/usr/bin/env bash
# Prepare a Google Colab runtime for the book's notebooks (see book/run_elsewhere.md):
# Java 17, the book's H2O and object-storage packages at their pinned versions, the
# book's helper package and the data. Colab's own numpy, pandas, matplotlib and
# scikit-learn stay. Run as root from anywhere: bash /content/aebook/binder/colab.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pin() { grep -E "^$1==" "$root/requirements.txt" | cut -d= -f3; }

apt-get -qq update
apt-get -qq install -y openjdk-17-jre-headless >/dev/null
java17=$(ls -d /usr/lib/jvm/java-17-openjdk-*/bin/java | head -n 1)
update-alternatives --set java "$java17" >/dev/null  # Java 17 first on PATH

pip install --quiet "h2o==$(pin h2o)" "minio==$(pin minio)" "moto[server]==$(pin moto)" \
    "papermill==$(pin papermill)"
pip install --quiet --no-deps -e "$root"
cd "$root" && python -m aebook
