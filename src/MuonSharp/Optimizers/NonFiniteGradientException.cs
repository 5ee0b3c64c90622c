namespace MuonSharp.Optimizers;

/// <summary>
/// A gradient held NaN or ±Inf at <c>step()</c> under <see cref="NonFiniteGradientPolicy.Throw"/>; no
/// parameter and no state was changed, so training can go on from here once the cause is fixed.
/// </summary>
public sealed class NonFiniteGradientException : ArithmeticException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened, to whom, and what to do.</param>
    /// <param name="parameters">The affected parameters as the message names them.</param>
    public NonFiniteGradientException(string message, IReadOnlyList<string> parameters) : base(message)
    {
        Parameters = parameters;
    }

    /// <summary>Every parameter whose gradient was not finite: its name (or position) and shape.</summary>
    public IReadOnlyList<string> Parameters { get; }
}
