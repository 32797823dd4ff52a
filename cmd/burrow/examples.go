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
