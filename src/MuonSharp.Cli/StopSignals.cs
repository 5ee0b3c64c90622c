using System.Runtime.InteropServices;

namespace MuonSharp.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM (what <c>timeout</c>, CI runners and <c>docker stop</c> send) ask the run
/// to stop at the next step boundary, checkpoint and say it was interrupted; the exit code then
/// follows the shell's convention, 128 + signal number. A second signal is left to the system and
/// ends the process at once.
/// A point run by the local sweep executor (<see cref="ChildVariable"/> set) ignores SIGINT: a Ctrl+C in
/// the terminal reaches the whole process group, and the executor already forwards one SIGTERM to each
/// child — a second signal would end the child before it checkpoints.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    /// <summary>Set to 1 in the environment of the local sweep executor's children.</summary>
    public const string ChildVariable = "MUONSHARP_SWEEP_CHILD";

    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly bool _ignoreInterrupt = Environment.GetEnvironmentVariable(ChildVariable) == "1";
    private PosixSignal? _received;

    public StopSignals()
    {
        _registrations = new[]
        {
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        };
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>130 after SIGINT, 143 after SIGTERM (also for a cancellation without a signal: 130).</summary>
    public int ExitCode => 128 + (_received == PosixSignal.SIGTERM ? SigTerm : SigInt);

    private void OnSignal(PosixSignalContext context)
    {
        if (_ignoreInterrupt && context.Signal == PosixSignal.SIGINT)
        {
            context.Cancel = true;
            return;
        }
        lock (_stop)
        {
            if (_received is not null) return;       // second signal: default action, the process ends
            _received = context.Signal;
            context.Cancel = true;
        }
        _stop.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _stop.Dispose();
    }
}
