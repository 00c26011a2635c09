#!/usr/bin/env python3
"""Checks the shipped Kubernetes manifests: every file parses; the kustomization applies the
PVC, ConfigMap and CronJob but never the Secret template; the CronJob runs `hiresync run
--once` every 3 hours from hiresync:0.1.0 with the fields Pod Security "restricted" asks for,
deadlines, concurrencyPolicy Forbid and resources; the secrets come from the Secret volume with
mode 0440 and fsGroup; the ConfigMap's hiresync.json has the keys of hiresync.json.example
(note_action_type included) and names only secret files the Secret template provides. The
sharded overlay (kubernetes/sharded), merged onto the CronJob as kustomize would, makes each
round an Indexed Job whose pods run `--shard $(JOB_COMPLETION_INDEX)/N` with N equal to the
completions and parallelism, one failed shard not stopping the others, on a ReadWriteMany
state volume.

Usage: check-kubernetes.py DEPLOY_DIR   (DEPLOY_DIR = manifests/deploy). Exit 0 when all hold,
1 with one line per problem."""
import json
import os
import sys

import yaml

problems = []


def need(cond, what):
    if not cond:
        problems.append(what)
    return cond


def get(obj, *path):
    for p in path:
        if isinstance(obj, dict) and p in obj:
            obj = obj[p]
        elif isinstance(obj, list) and isinstance(p, int) and p < len(obj):
            obj = obj[p]
        else:
            return None
    return obj


def load(path):
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    need(len(docs) == 1, f"{path}: one object per file, found {len(docs)}")
    return docs[0] if docs else {}


def key_paths(value, prefix=""):
    """The set of object key paths of a JSON value (array items share the path)."""
    out = set()
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(prefix + "." + k)
            out |= key_paths(v, prefix + "." + k)
    elif isinstance(value, list):
        for v in value:
            out |= key_paths(v, prefix + "[]")
    return out


def check_pod(pod, where):
    psc = pod.get("securityContext") or {}
    need(psc.get("runAsNonRoot") is True, f"{where}: securityContext.runAsNonRoot must be true")
    need(psc.get("runAsUser") == 10001, f"{where}: securityContext.runAsUser must be 10001")
    need(psc.get("runAsGroup") == 10001, f"{where}: securityContext.runAsGroup must be 10001")
    need(psc.get("fsGroup") == 10001, f"{where}: securityContext.fsGroup must be 10001")
    need(get(psc, "seccompProfile", "type") == "RuntimeDefault",
         f"{where}: securityContext.seccompProfile.type must be RuntimeDefault")
    need(pod.get("restartPolicy") == "Never", f"{where}: restartPolicy must be Never")
    containers = pod.get("containers") or []
    need(len(containers) == 1, f"{where}: one container")
    for c in containers:
        cw = f"{where}.containers[{c.get('name')}]"
        need(c.get("image") == "hiresync:0.1.0", f"{cw}: image must be hiresync:0.1.0")
        cmd = (c.get("command") or []) + (c.get("args") or [])
        if "--shard" in cmd:
            cmd = cmd[:cmd.index("--shard")]
        need(cmd[:1] == ["hiresync"] and cmd[-2:] == ["run", "--once"],
             f"{cw}: must run `hiresync ... run --once`, runs {cmd}")
        csc = c.get("securityContext") or {}
        need(csc.get("allowPrivilegeEscalation") is False,
             f"{cw}: allowPrivilegeEscalation must be false")
        need(csc.get("readOnlyRootFilesystem") is True, f"{cw}: readOnlyRootFilesystem must be true")
        need(get(csc, "capabilities", "drop") == ["ALL"], f"{cw}: capabilities.drop must be [ALL]")
        need(not get(csc, "capabilities", "add"), f"{cw}: no capabilities may be added")
        need(csc.get("privileged") in (None, False), f"{cw}: must not be privileged")
        need(csc.get("runAsNonRoot") in (None, True), f"{cw}: runAsNonRoot must not be false")
        res = c.get("resources") or {}
        need(get(res, "requests", "memory") == "32Mi", f"{cw}: requests.memory must be 32Mi")
        need(get(res, "requests", "cpu") == "50m", f"{cw}: requests.cpu must be 50m")
        need(get(res, "limits", "memory") == "128Mi", f"{cw}: limits.memory must be 128Mi")
    for v in pod.get("volumes") or []:
        need("hostPath" not in v, f"{where}: volume {v.get('name')}: hostPath is not allowed")


def merge(base, patch):
    """A strategic merge patch as kustomize applies these: maps merge, null deletes, lists of
    named objects merge by name, other lists are replaced."""
    if not isinstance(base, dict) or not isinstance(patch, dict):
        return patch
    out = dict(base)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif (isinstance(v, list) and isinstance(out.get(k), list)
              and all(isinstance(x, dict) and "name" in x for x in v + out[k])):
            named = {x["name"]: x for x in out[k]}
            for x in v:
                named[x["name"]] = merge(named.get(x["name"], {}), x)
            out[k] = list(named.values())
        else:
            out[k] = merge(out.get(k), v)
    return out


def check_sharded(kdir, docs):
    sdir = os.path.join(kdir, "sharded")
    kust = load(os.path.join(sdir, "kustomization.yaml"))
    need(kust.get("resources") == [".."], "sharded: must build on the CronJob of ..")
    patches = [load(os.path.join(sdir, p.get("path", ""))) for p in kust.get("patches") or []]
    cron, pvc = docs.get("cronjob.yaml", {}), docs.get("pvc.yaml", {})
    for p in patches:
        if p.get("kind") == "CronJob":
            cron = merge(cron, p)
        elif p.get("kind") == "PersistentVolumeClaim":
            pvc = merge(pvc, p)
    job = get(cron, "spec", "jobTemplate", "spec") or {}
    n = job.get("completions")
    need(job.get("completionMode") == "Indexed", "sharded: completionMode must be Indexed")
    need(isinstance(n, int) and n > 1 and job.get("parallelism") == n,
         "sharded: completions and parallelism must be the same shard count above 1")
    need("backoffLimit" not in job and job.get("backoffLimitPerIndex") == 0,
         "sharded: one failed shard must not end the others (backoffLimitPerIndex 0, no "
         "backoffLimit)")
    pod = get(job, "template", "spec") or {}
    check_pod(pod, "sharded CronJob pod")
    cmd = get(pod, "containers", 0, "command") or []
    need(cmd[-2:] == ["--shard", f"$(JOB_COMPLETION_INDEX)/{n}"],
         f"sharded: the pod must run --shard $(JOB_COMPLETION_INDEX)/{n}, runs {cmd}")
    need(pvc.get("spec", {}).get("accessModes") == ["ReadWriteMany"],
         "sharded: every shard mounts the state volume: accessModes must be ReadWriteMany")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-2])
        return 2
    deploy = sys.argv[1]
    kdir = os.path.join(deploy, "kubernetes")
    files = sorted(f for f in os.listdir(kdir) if f.endswith(".yaml"))
    docs = {f: load(os.path.join(kdir, f)) for f in files}

    kust = docs.get("kustomization.yaml", {})
    resources = kust.get("resources") or []
    need(sorted(resources) == ["configmap.yaml", "cronjob.yaml", "pvc.yaml"],
         f"kustomization.yaml: resources must be the PVC, ConfigMap and CronJob, are {resources}")
    for name, doc in docs.items():
        if doc.get("kind") == "Secret":
            need("example" in name, f"{name}: a Secret must live in a *.example.yaml template")
            need(name not in resources, f"kustomization.yaml: must not apply {name}")

    cron = docs.get("cronjob.yaml", {})
    need(cron.get("kind") == "CronJob", "cronjob.yaml: must hold the CronJob")
    spec = cron.get("spec") or {}
    need(spec.get("schedule") == "0 */3 * * *", "CronJob: schedule must be every 3 hours")
    need(spec.get("concurrencyPolicy") == "Forbid", "CronJob: concurrencyPolicy must be Forbid")
    need(isinstance(spec.get("startingDeadlineSeconds"), int),
         "CronJob: startingDeadlineSeconds must be set")
    for k in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        need(isinstance(spec.get(k), int), f"CronJob: {k} must be set")
    job = get(spec, "jobTemplate", "spec") or {}
    deadline = job.get("activeDeadlineSeconds")
    need(isinstance(deadline, int) and 0 < deadline < 3 * 3600,
         "CronJob: activeDeadlineSeconds must end a round before the next one is due")
    need(isinstance(job.get("backoffLimit"), int), "CronJob: backoffLimit must be set")
    pod = get(job, "template", "spec") or {}
    check_pod(pod, "CronJob pod")

    secret_doc = docs.get("secret.example.yaml", {})
    secret_keys = set((secret_doc.get("stringData") or {}).keys())
    vols = {v.get("name"): v for v in pod.get("volumes") or []}
    mounts = {m.get("name"): m for m in get(pod, "containers", 0, "volumeMounts") or []}
    sec = get(vols, "secrets", "secret") or {}
    need(sec.get("secretName") == get(secret_doc, "metadata", "name"),
         "CronJob: the secrets volume must mount the Secret of secret.example.yaml")
    need(sec.get("defaultMode") == 0o440, "CronJob: the Secret volume's defaultMode must be 0440")
    need(get(mounts, "secrets", "mountPath") == "/etc/hiresync/secrets",
         "CronJob: secrets must be mounted at /etc/hiresync/secrets")
    claim = get(vols, "state", "persistentVolumeClaim", "claimName")
    need(claim == get(docs.get("pvc.yaml", {}), "metadata", "name"),
         "CronJob: the state volume must be the PVC of pvc.yaml")
    need(get(mounts, "state", "mountPath") == "/var/lib/hiresync",
         "CronJob: state must be mounted at /var/lib/hiresync")

    cm = docs.get("configmap.yaml", {})
    need(get(vols, "config", "configMap", "name") == get(cm, "metadata", "name"),
         "CronJob: the config volume must be the ConfigMap of configmap.yaml")
    try:
        config = json.loads(get(cm, "data", "hiresync.json") or "")
    except ValueError as e:
        need(False, f"configmap.yaml: hiresync.json is not JSON: {e}")
        config = {}
    need(get(config, "connections", "eploy", "note_action_type") is not None,
         "configmap.yaml: the eploy connection needs note_action_type to write notes")
    need(str(config.get("state_dir", "")).startswith("/var/lib/hiresync/"),
         "configmap.yaml: state_dir must be a directory on the state volume")
    for conn in (config.get("connections") or {}).values():
        for value in conn.values():
            if isinstance(value, dict) and "file" in value:
                base = os.path.basename(value["file"])
                need(value["file"] == "secrets/" + base and base in secret_keys,
                     f"configmap.yaml: secret file {value['file']} is not a key of the Secret")
    example_path = os.path.join(deploy, "hiresync.json.example.in")
    with open(example_path, encoding="utf-8") as f:
        example = json.load(f)
    missing = key_paths(example) - key_paths(config)
    extra = key_paths(config) - key_paths(example)
    need(not missing, f"configmap.yaml: keys of hiresync.json.example missing: {sorted(missing)}")
    need(not extra, f"configmap.yaml: keys not in hiresync.json.example: {sorted(extra)}")

    check_sharded(kdir, docs)

    for p in problems:
        print(f"check-kubernetes: {p}")
    if not problems:
        print(f"check-kubernetes: {len(docs)} files parse; CronJob, ConfigMap, Secret template "
              "and PVC hold together; the sharded overlay is an Indexed Job of matching shards")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
