package sandbox

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// loadSeccomp compiles an OCI seccomp section with libseccomp and loads it
// on the calling thread (the one that execs). It runs while the thread
// still has CAP_SYS_ADMIN in burrow's user namespace, so no_new_privs is
// not forced on processes that did not ask for it.
func loadSeccomp(s *specs.LinuxSeccomp) error {
	if s == nil {
		return nil
	}
	def, err := seccompAction(s.DefaultAction, s.DefaultErrnoRet)
	if err != nil {
		return err
	}
	f, err := libseccomp.NewFilter(def)
	if err != nil {
		return fmt.Errorf("creating the seccomp filter: %w", err)
	}
	defer f.Release()
	if err := f.SetNoNewPrivsBit(false); err != nil {
		return err
	}
	for _, a := range s.Architectures {
		arch, err := libseccomp.GetArchFromString(strings.ToLower(strings.TrimPrefix(string(a), "SCMP_ARCH_")))
		if err != nil {
			continue // an architecture this libseccomp does not know
		}
		if err := f.AddArch(arch); err != nil {
			return fmt.Errorf("adding architecture %s to the seccomp filter: %w", a, err)
		}
	}
	for _, rule := range s.Syscalls {
		act, err := seccompAction(rule.Action, rule.ErrnoRet)
		if err != nil {
			return err
		}
		if act == def {
			continue
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
	}
	if err := f.Load(); err != nil {
		return fmt.Errorf("loading the seccomp filter: %w", err)
	}
	return nil
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
