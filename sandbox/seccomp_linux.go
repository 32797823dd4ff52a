package sandbox

import (
	"fmt"
	"os"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// compileSeccomp compiles an OCI seccomp section with libseccomp into the
// classic BPF program the kernel loads (struct sock_filter[]), which the C
// init and exec child load as they are, just before their exec: while the
// thread still has CAP_SYS_ADMIN in burrow's user namespace, so that
// no_new_privs is not forced on processes that did not ask for it. nil
// for no filter.
func compileSeccomp(s *specs.LinuxSeccomp) ([]byte, error) {
	if s == nil {
		return nil, nil
	}
	def, err := seccompAction(s.DefaultAction, s.DefaultErrnoRet)
	if err != nil {
		return nil, err
	}
	f, err := libseccomp.NewFilter(def)
	if err != nil {
		return nil, fmt.Errorf("creating the seccomp filter: %w", err)
	}
	defer f.Release()
	for _, a := range s.Architectures {
		arch, err := libseccomp.GetArchFromString(strings.ToLower(strings.TrimPrefix(string(a), "SCMP_ARCH_")))
		if err != nil {
			continue // an architecture this libseccomp does not know
		}
		if err := f.AddArch(arch); err != nil {
			return nil, fmt.Errorf("adding architecture %s to the seccomp filter: %w", a, err)
		}
	}
	for _, rule := range s.Syscalls {
		if err := addSeccompRule(f, def, rule); err != nil {
			return nil, err
		}
	}
	return exportBPF(f)
}

// addSeccompRule adds one rule of the profile to f, whose default action
// is def.
func addSeccompRule(f *libseccomp.ScmpFilter, def libseccomp.ScmpAction, rule specs.LinuxSyscall) error {
	act, err := seccompAction(rule.Action, rule.ErrnoRet)
	if err != nil {
		return err
	}
	if act == def {
		return nil
	}
	conds, split, err := seccompConditions(rule.Args)
	if err != nil {
		return err
	}
	for _, name := range rule.Names {
		sc, err := libseccomp.GetSyscallFromName(name)
		if err != nil {
			continue // not a syscall of this kernel's architecture
		}
		switch {
		case len(conds) == 0:
			err = f.AddRule(sc, act)
		case split:
			// Conditions on the same argument: one rule each, as runc.
			for _, c := range conds {
				if err = f.AddRuleConditional(sc, act, []libseccomp.ScmpCondition{c}); err != nil {
					break
				}
			}
		default:
			err = f.AddRuleConditional(sc, act, conds)
		}
		if err != nil {
			return fmt.Errorf("adding the seccomp rule for %s: %w", name, err)
		}
	}
	return nil
}

// exportBPF is f's program, through a memory file: libseccomp 2.5 writes
// it to a descriptor only.
func exportBPF(f *libseccomp.ScmpFilter) ([]byte, error) {
	fd, err := unix.MemfdCreate("seccomp", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("compiling the seccomp filter: %w", err)
	}
	mf := os.NewFile(uintptr(fd), "seccomp")
	defer mf.Close()
	if err := f.ExportBPF(mf); err != nil {
		return nil, fmt.Errorf("compiling the seccomp filter: %w", err)
	}
	b, err := os.ReadFile(fdPath(fd))
	if err != nil {
		return nil, fmt.Errorf("compiling the seccomp filter: %w", err)
	}
	if len(b) == 0 || len(b)%8 != 0 {
		return nil, fmt.Errorf("compiling the seccomp filter: libseccomp made a program of %d bytes", len(b))
	}
	return b, nil
}

func seccompAction(a specs.LinuxSeccompAction, errno *uint) (libseccomp.ScmpAction, error) {
	switch a {
	case specs.ActKill, specs.ActKillThread:
		return libseccomp.ActKillThread, nil
	case specs.ActKillProcess:
		return libseccomp.ActKillProcess, nil
	case specs.ActTrap:
		return libseccomp.ActTrap, nil
	case specs.ActAllow:
		return libseccomp.ActAllow, nil
	case specs.ActLog:
		return libseccomp.ActLog, nil
	case specs.ActErrno:
		code := int16(unix.EPERM)
		if errno != nil {
			code = int16(*errno)
		}
		return libseccomp.ActErrno.SetReturnCode(code), nil
	case specs.ActTrace:
		code := int16(unix.EPERM)
		if errno != nil {
			code = int16(*errno)
		}
		return libseccomp.ActTrace.SetReturnCode(code), nil
	}
	return libseccomp.ActInvalid, fmt.Errorf("unknown seccomp action %q", a)
}

var seccompOps = map[specs.LinuxSeccompOperator]libseccomp.ScmpCompareOp{
	specs.OpNotEqual:     libseccomp.CompareNotEqual,
	specs.OpLessThan:     libseccomp.CompareLess,
	specs.OpLessEqual:    libseccomp.CompareLessOrEqual,
	specs.OpEqualTo:      libseccomp.CompareEqual,
	specs.OpGreaterEqual: libseccomp.CompareGreaterEqual,
	specs.OpGreaterThan:  libseccomp.CompareGreater,
	specs.OpMaskedEqual:  libseccomp.CompareMaskedEqual,
}

// seccompConditions converts a rule's argument checks; split tells that
// two of them test the same argument.
func seccompConditions(args []specs.LinuxSeccompArg) (conds []libseccomp.ScmpCondition, split bool, err error) {
	seen := map[uint]bool{}
	for _, a := range args {
		op, ok := seccompOps[a.Op]
		if !ok {
			return nil, false, fmt.Errorf("unknown seccomp operator %q", a.Op)
		}
		var c libseccomp.ScmpCondition
		if op == libseccomp.CompareMaskedEqual {
			c, err = libseccomp.MakeCondition(a.Index, op, a.Value, a.ValueTwo)
		} else {
			c, err = libseccomp.MakeCondition(a.Index, op, a.Value)
		}
		if err != nil {
			return nil, false, err
		}
		split = split || seen[a.Index]
		seen[a.Index] = true
		conds = append(conds, c)
	}
	return conds, split, nil
}
