namespace MuonSharp.Optimizers;

/// <summary>
/// What <c>step()</c> does when a gradient holds NaN or ±Inf — under mixed precision an overflowing
/// loss produces them now and then. Either way the check runs before any parameter or state is
/// touched: one NaN entry would otherwise turn a whole orthogonalized matrix, and its momentum for
/// good, into NaN.
/// </summary>
public enum NonFiniteGradientPolicy
{
    /// <summary>Throw <see cref="NonFiniteGradientException"/> naming every affected parameter and its step; nothing is updated. The default.</summary>
    Throw,
    /// <summary>
    /// The affected parameters sit the step out (their values, state and step count stay as they were);
    /// the others are updated. <see cref="OptimizerBase.SkippedSteps"/> counts such steps, as a grad
    /// scaler counts the steps it skips.
    /// </summary>
    Skip,
}
