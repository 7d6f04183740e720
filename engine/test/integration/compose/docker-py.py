"""Drives berthd with docker-py (Debian's python3-docker), the SDK Compose v1 and many tools use.
Prints one JSON object with what it saw; the vitest file asserts on it."""
import json
import os
import sys

import docker

image = sys.argv[1]
client = docker.DockerClient(base_url=os.environ["DOCKER_HOST"], version="auto")
out = {"version": client.version()["ApiVersion"]}

client.images.pull(image)
out["images"] = [t for i in client.images.list() for t in i.tags]

net = client.networks.create("pynet", labels={"made.by": "docker-py"})
vol = client.volumes.create("pyvol", labels={"made.by": "docker-py"})
out["networks"] = [n.name for n in client.networks.list(filters={"label": "made.by=docker-py"})]
out["volumes"] = [v.name for v in client.volumes.list(filters={"label": "made.by=docker-py"})]

out["run_output"] = client.containers.run(image, ["sh", "-c", "echo hello-py"], remove=True).decode()

c = client.containers.run(
    image,
    ["sh", "-c", "echo started; trap 'exit 0' TERM; while true; do sleep 0.1; done"],
    detach=True,
    name="pyservice",
    network="pynet",
    volumes={"pyvol": {"bind": "/data", "mode": "rw"}},
    labels={"made.by": "docker-py"},
)
code, output = c.exec_run(["sh", "-c", "echo from-exec > /data/f && cat /data/f"])
out["exec"] = [code, output.decode()]
stats = c.stats(stream=False)
out["stats_keys"] = sorted(k for k in ("cpu_stats", "memory_stats", "precpu_stats", "pids_stats") if k in stats)
c.reload()
out["status"] = c.status
out["listed"] = [x.name for x in client.containers.list(filters={"label": "made.by=docker-py"})]
out["logs"] = c.logs().decode()
c.stop(timeout=2)
out["exit"] = c.wait()["StatusCode"]
c.remove()
net.remove()
vol.remove()
print(json.dumps(out))
