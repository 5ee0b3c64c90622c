using System.Runtime.InteropServices;

namespace MuonSharp.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM (what <c>timeout</c>, CI runners and <c>docker stop</c> send) ask the run
/// to stop at the next step boundary, checkpoint and say it was interrupted; the exit code then
/// follows the shell's convention, 128 + signal number. A second signal is left to the system and
/// ends the process at once.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;
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
