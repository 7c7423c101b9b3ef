package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat.
// It is 100 on every Linux architecture Go supports.
const clockTicks = 100

// Usage is what a process consumed during a measurement.
type Usage struct {
	// CPUSeconds is user + system CPU time.
	CPUSeconds float64 `json:"cpu_s"`
	// WallSeconds is the length of the measurement.
	WallSeconds float64 `json:"wall_s"`
	// CPUPercent is CPUSeconds / WallSeconds; 100 is one core busy.
	CPUPercent float64 `json:"cpu_pct"`
	// PeakRSSMiB is the high-water mark of the resident set (VmHWM).
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	// PeakSince says whether the peak covers the measurement only
	// ("measurement", after resetting it through clear_refs) or the whole
	// process life ("start", when the reset was refused).
	PeakSince string `json:"peak_since"`
	// StartRSSMiB is the resident set when the measurement began: the
	// peak can never be lower (memory the Go runtime kept from earlier
	// work, e.g. a bulk upload, counts until it is returned).
	StartRSSMiB float64 `json:"start_rss_mib,omitempty"`
	// IO is what the process read and wrote during the measurement, from
	// /proc/<pid>/io; nil where the kernel does not offer it.
	IO *IOUsage `json:"io,omitempty"`
}

// IOUsage counts a process's read and write system calls (read, pread,
// readv … on files and sockets alike) and the bytes they moved, from
// /proc/<pid>/io (syscr, syscw, rchar, wchar).
type IOUsage struct {
	ReadCalls  int64 `json:"read_calls"`
	WriteCalls int64 `json:"write_calls"`
	ReadBytes  int64 `json:"read_bytes"`
	WriteBytes int64 `json:"write_bytes"`
}

// sub returns u − o, field by field.
func (u IOUsage) sub(o IOUsage) IOUsage {
	return IOUsage{ReadCalls: u.ReadCalls - o.ReadCalls, WriteCalls: u.WriteCalls - o.WriteCalls,
		ReadBytes: u.ReadBytes - o.ReadBytes, WriteBytes: u.WriteBytes - o.WriteBytes}
}

// add returns u + o, field by field.
func (u IOUsage) add(o IOUsage) IOUsage {
	return IOUsage{ReadCalls: u.ReadCalls + o.ReadCalls, WriteCalls: u.WriteCalls + o.WriteCalls,
		ReadBytes: u.ReadBytes + o.ReadBytes, WriteBytes: u.WriteBytes + o.WriteBytes}
}

// processIO reads the counters of /proc/<pid>/io.
func processIO(pid int) (IOUsage, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return IOUsage{}, fmt.Errorf("read io counters: %w", err)
	}
	return parseProcIO(string(b))
}

// parseProcIO parses the "name: value" lines of /proc/<pid>/io.
func parseProcIO(text string) (IOUsage, error) {
	var u IOUsage
	fields := map[string]*int64{"syscr": &u.ReadCalls, "syscw": &u.WriteCalls, "rchar": &u.ReadBytes, "wchar": &u.WriteBytes}
	found := 0
	for line := range strings.Lines(text) {
		name, value, ok := strings.Cut(strings.TrimSpace(line), ":")
		dst := fields[name]
		if !ok || dst == nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if err != nil {
			return IOUsage{}, fmt.Errorf("read io counters: %s: %w", name, err)
		}
		*dst = n
		found++
	}
	if found != len(fields) {
		return IOUsage{}, fmt.Errorf("read io counters: %d of the %d counters found", found, len(fields))
	}
	return u, nil
}

// meter measures one process from the moment it is started.
type meter struct {
	pid       int
	cpu0      time.Duration
	t0        time.Time
	peakReset bool
	startRSS  int64 // KiB
	io0       IOUsage
	ioOK      bool // io0 was read
}

// startMeter resets the process's peak RSS (when allowed) and records its
// CPU time so far.
func startMeter(pid int) (*meter, error) {
	m := &meter{pid: pid, t0: time.Now()}
	m.peakReset = resetPeakRSS(pid) == nil
	m.startRSS, _ = statusKiB(pid, "VmRSS:")
	io0, err := processIO(pid)
	m.io0, m.ioOK = io0, err == nil
	cpu, err := processCPU(pid)
	if err != nil {
		return nil, err
	}
	m.cpu0 = cpu
	return m, nil
}

// read returns the usage since startMeter.
func (m *meter) read() (*Usage, error) {
	cpu, err := processCPU(m.pid)
	if err != nil {
		return nil, err
	}
	hwm, err := peakRSSKiB(m.pid)
	if err != nil {
		return nil, err
	}
	wall := time.Since(m.t0).Seconds()
	u := &Usage{
		CPUSeconds:  round((cpu - m.cpu0).Seconds(), 2),
		WallSeconds: round(wall, 2),
		PeakRSSMiB:  round(float64(hwm)/1024, 1),
		PeakSince:   "start",
		StartRSSMiB: round(float64(m.startRSS)/1024, 1),
	}
	if wall > 0 {
		u.CPUPercent = round(100*(cpu-m.cpu0).Seconds()/wall, 1)
	}
	if m.peakReset {
		u.PeakSince = "measurement"
	}
	if io, err := processIO(m.pid); err == nil && m.ioOK {
		d := io.sub(m.io0)
		u.IO = &d
	}
	return u, nil
}

// processCPU reads utime + stime from /proc/<pid>/stat.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read cpu time: %w", err)
	}
	// The command name (field 2) is in parentheses and may hold spaces;
	// the fields after the last ")" start at field 3, the state.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("read cpu time: malformed /proc/%d/stat", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("read cpu time: short /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("read cpu time: malformed /proc/%d/stat", pid)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// peakRSSKiB reads VmHWM from /proc/<pid>/status.
func peakRSSKiB(pid int) (int64, error) { return statusKiB(pid, "VmHWM:") }

// statusKiB reads a "Name: N kB" field of /proc/<pid>/status.
func statusKiB(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read peak rss: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), field)
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("read peak rss: %q: %w", rest, err)
		}
		return kb, nil
	}
	return 0, fmt.Errorf("read peak rss: no %s in /proc/%d/status", field, pid)
}

// resetPeakRSS sets VmHWM back to the current RSS (Linux ≥ 4.0), so the
// peak covers only what follows.
func resetPeakRSS(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// machineMeter measures the CPU time all processes on the machine used,
// so the report can say how much went to processes other than the server
// and the harness (a shared machine skews every figure).
type machineMeter struct {
	busy0 time.Duration
	t0    time.Time
}

// OtherCPU is CPU time used by processes other than the server and the
// harness during a measurement.
type OtherCPU struct {
	CPUSeconds float64 `json:"cpu_s"`
	// CPUPercent is CPUSeconds over the measurement; 100 is one core.
	CPUPercent float64 `json:"cpu_pct"`
}

func startMachineMeter() (*machineMeter, error) {
	busy, err := machineBusy()
	return &machineMeter{busy0: busy, t0: time.Now()}, err
}

// others returns the machine's busy time since start minus what the
// measured processes used.
func (m *machineMeter) others(measured ...*Usage) (*OtherCPU, error) {
	busy, err := machineBusy()
	if err != nil {
		return nil, err
	}
	cpu := (busy - m.busy0).Seconds()
	for _, u := range measured {
		if u != nil {
			cpu -= u.CPUSeconds
		}
	}
	cpu = max(cpu, 0)
	return &OtherCPU{CPUSeconds: round(cpu, 1), CPUPercent: round(100*cpu/time.Since(m.t0).Seconds(), 0)}, nil
}

// machineBusy reads the non-idle CPU time of all cores from /proc/stat:
// user, nice, system, irq and softirq (guest time is part of user; steal
// is time the hypervisor gave to other machines).
func machineBusy() (time.Duration, error) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, fmt.Errorf("read machine cpu: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 8 || fields[0] != "cpu" {
			continue
		}
		var ticks int64
		for _, i := range []int{1, 2, 3, 6, 7} { // user nice system irq softirq
			n, err := strconv.ParseInt(fields[i], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("read machine cpu: %w", err)
			}
			ticks += n
		}
		return time.Duration(ticks) * time.Second / clockTicks, nil
	}
	return 0, fmt.Errorf("read machine cpu: no cpu line in /proc/stat")
}

// treeCPU is the CPU time of a process, of its children that it has
// waited for (cutime, cstime) and of its live children: for PostgreSQL's
// postmaster, the whole server including backends that come and go.
func treeCPU(pid int) (time.Duration, error) {
	own, err := statFields(pid)
	if err != nil {
		return 0, err
	}
	total := ticks(own, 11, 12, 13, 14) // utime stime cutime cstime
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	parent := strconv.Itoa(pid)
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil || child == pid {
			continue
		}
		f, err := statFields(child)
		if err != nil || len(f) < 15 || f[1] != parent { // field 4: ppid
			continue
		}
		total += ticks(f, 11, 12)
	}
	return total, nil
}

// statFields returns the fields of /proc/<pid>/stat after the command
// name, starting with the state (field 3) at index 0.
func statFields(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 15 {
		return nil, fmt.Errorf("short /proc/%d/stat", pid)
	}
	return f, nil
}

// ticks adds the clock-tick fields at the given indexes of statFields.
func ticks(f []string, idx ...int) time.Duration {
	var n int64
	for _, i := range idx {
		v, _ := strconv.ParseInt(f[i], 10, 64)
		n += v
	}
	return time.Duration(n) * time.Second / clockTicks
}

// treeMeter measures a process tree's CPU (see treeCPU).
type treeMeter struct {
	pid  int
	cpu0 time.Duration
	t0   time.Time
}

func startTreeMeter(pid int) (*treeMeter, error) {
	cpu, err := treeCPU(pid)
	if err != nil {
		return nil, err
	}
	return &treeMeter{pid: pid, cpu0: cpu, t0: time.Now()}, nil
}

// read returns the tree's CPU since start; peak memory is not measured
// (PostgreSQL's shared memory would count once per backend).
func (m *treeMeter) read() (*Usage, error) {
	cpu, err := treeCPU(m.pid)
	if err != nil {
		return nil, err
	}
	wall := time.Since(m.t0).Seconds()
	u := &Usage{CPUSeconds: round((cpu - m.cpu0).Seconds(), 2), WallSeconds: round(wall, 2)}
	if wall > 0 {
		u.CPUPercent = round(100*(cpu-m.cpu0).Seconds()/wall, 1)
	}
	return u, nil
}
