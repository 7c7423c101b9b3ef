package proctest

import (
	"os/exec"
	"syscall"
)

// dieWithTest has the kernel kill the process when the test binary dies
// (a timeout's panic, an interrupt): no server outlives its test.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
