package main

// Examples shown by `burrow COMMAND --help` (kong.HelpProvider).

func (*RunCmd) Help() string {
	return `Examples:
  burrow run --rm -it docker.io/library/alpine sh
  burrow run -d --name web -p 8080:80 -v ./site:/usr/share/nginx/html:ro nginx
  burrow run --rm -m 512m --cpus 1.5 --pids-limit 100 IMAGE make -j4`
}

func (*CreateCmd) Help() string {
	return "Example:\n  burrow create --name job IMAGE ./run.sh && burrow start -a job"
}

func (*StartCmd) Help() string { return "Example:\n  burrow start -a -i job" }
func (*PsCmd) Help() string {
	return "Examples:\n  burrow ps -a\n  burrow ps --filter status=exited --format '{{.Names}} {{.Status}}'"
}
func (*LogsCmd) Help() string { return "Example:\n  burrow logs -f --tail 20 -t web" }
func (*StopCmd) Help() string { return "Example:\n  burrow stop -t 5 web" }
func (*KillCmd) Help() string { return "Example:\n  burrow kill -s HUP web" }
func (*RmCmd) Help() string {
	return "Examples:\n  burrow rm -f web\n  burrow rm -v $(burrow ps -aq --filter status=exited)"
}
func (*WaitCmd) Help() string { return "Example:\n  burrow wait job" }
func (*ExecCmd) Help() string {
	return "Examples:\n  burrow exec -it web sh\n  burrow exec -u 1000 -w /srv web ls"
}
func (*CpCmd) Help() string {
	return "Examples:\n  burrow cp web:/etc/nginx/nginx.conf .\n  burrow cp ./site web:/usr/share/nginx/html"
}
func (*PullCmd) Help() string {
	return "Examples:\n  burrow pull alpine\n  burrow pull --tls-verify=false localhost:5000/app:1"
}
func (*PushCmd) Help() string {
	return "Example:\n  burrow push localhost/app:1 registry.example.com/team/app:1"
}
func (*ImagesCmd) Help() string { return "Example:\n  burrow images --filter reference=alpine -q" }
func (*RmiCmd) Help() string    { return "Example:\n  burrow rmi -f app:1" }
func (*CommitCmd) Help() string {
	return "Example:\n  burrow commit -m 'add tools' --change 'CMD [\"sh\"]' web localhost/web:debug"
}
func (*SaveCmd) Help() string { return "Example:\n  burrow save --format oci-archive -o app.tar app:1" }
func (*LoadCmd) Help() string { return "Example:\n  burrow load -i app.tar" }
func (*LoginCmd) Help() string {
	return "Example:\n  echo \"$TOKEN\" | burrow login -u me --password-stdin registry.example.com"
}
func (*DoctorCmd) Help() string {
	return "Example:\n  burrow system doctor\n  burrow system doctor --repair"
}
func (*UpdateCmd) Help() string  { return "Example:\n  burrow update -m 1g --cpus 2 web" }
func (*StatsCmd) Help() string   { return "Example:\n  burrow stats --no-stream --format json" }
func (*UnshareCmd) Help() string { return "Example:\n  burrow unshare rm -rf ./files-owned-by-subuids" }

func (*RestartCmd) Help() string { return "Example:\n  burrow restart -t 5 web" }
func (*InspectCmd) Help() string {
	return "Example:\n  burrow inspect --format '{{.State.Status}} {{.State.ExitCode}}' web"
}
func (*TopCmd) Help() string     { return "Example:\n  burrow top web" }
func (*PortCmd) Help() string    { return "Example:\n  burrow port web 80" }
func (*RenameCmd) Help() string  { return "Example:\n  burrow rename web web-old" }
func (*PauseCmd) Help() string   { return "Example:\n  burrow pause web" }
func (*UnpauseCmd) Help() string { return "Example:\n  burrow unpause web" }
func (*DiffCmd) Help() string    { return "Example:\n  burrow diff web" }
func (*ExportCmd) Help() string  { return "Example:\n  burrow export -o web.tar web" }
func (*ImportCmd) Help() string {
	return "Example:\n  burrow import --change 'CMD [\"/bin/sh\"]' rootfs.tar localhost/mine:1"
}
func (*TagCmd) Help() string     { return "Example:\n  burrow tag alpine localhost/base:1" }
func (*HistoryCmd) Help() string { return "Example:\n  burrow history --no-trunc alpine" }
func (*ImageInspectCmd) Help() string {
	return "Example:\n  burrow image inspect --format '{{.Config.Cmd}}' alpine"
}
func (*LogoutCmd) Help() string         { return "Example:\n  burrow logout registry.example.com" }
func (*ContainerPruneCmd) Help() string { return "Example:\n  burrow container prune -f" }
func (*VolumeCreateCmd) Help() string {
	return "Example:\n  burrow volume create data && burrow run -v data:/data IMAGE"
}
func (*VolumeLsCmd) Help() string { return "Example:\n  burrow volume ls -q" }
func (*VolumeInspectCmd) Help() string {
	return "Example:\n  burrow volume inspect --format '{{.Mountpoint}}' data"
}
func (*VolumeRmCmd) Help() string    { return "Example:\n  burrow volume rm -f data" }
func (*VolumePruneCmd) Help() string { return "Example:\n  burrow volume prune -f" }
func (*InfoCmd) Help() string        { return "Example:\n  burrow info --format json" }
func (*CompletionCmd) Help() string {
	return "Examples:\n  source <(burrow completion bash)\n  burrow completion fish > ~/.config/fish/completions/burrow.fish"
}
