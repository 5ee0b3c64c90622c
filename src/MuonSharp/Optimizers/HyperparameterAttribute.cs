namespace MuonSharp.Optimizers;

/// <summary>
/// Declares one hyperparameter of an optimizer's <c>Options</c>: the property's name is its name
/// (PyTorch's, as users write it), this attribute gives its default and the values it accepts.
/// Filling a group's unset values, validation, saving, loading and copying all follow from the
/// declaration (see <see cref="HyperparameterOptions"/>).
/// </summary>
/// <param name="default">The value a group gets when neither it nor the optimizer's defaults set one.</param>
/// <param name="rule">The values accepted (numbers); enums accept their defined members or <see cref="Accepted"/>.</param>
[AttributeUsage(AttributeTargets.Property)]
public sealed class HyperparameterAttribute(object @default, HyperparameterRule rule = HyperparameterRule.Any) : Attribute
{
    /// <summary>The value a group gets when neither it nor the optimizer's defaults set one.</summary>
    public object Default { get; } = @default;

    /// <summary>The numbers accepted.</summary>
    public HyperparameterRule Rule { get; } = rule;

    /// <summary>For an enum, the accepted members when not all of them are (Muon's <c>ns_dtype</c>).</summary>
    public object[]? Accepted { get; set; }

    /// <summary>
    /// True for a hyperparameter added after optimizer states were first saved: a saved state without
    /// it loads with <see cref="Default"/>, which must therefore reproduce the behaviour from before it
    /// existed (Muon's <c>cautious_wd</c> is off by default). Every other hyperparameter must be in a saved state.
    /// </summary>
    public bool AbsentInOlderStates { get; set; }
}

/// <summary>
/// The learning rate an optimizer's groups get when neither they nor the optimizer's defaults set
/// one; without this attribute on an <c>Options</c> class, <c>lr</c> must be given.
/// </summary>
/// <param name="value">The default learning rate.</param>
[AttributeUsage(AttributeTargets.Class)]
public sealed class DefaultLearningRateAttribute(double value) : Attribute
{
    /// <summary>The default learning rate.</summary>
    public double Value { get; } = value;
}

/// <summary>The values a numeric hyperparameter accepts.</summary>
public enum HyperparameterRule
{
    /// <summary>Any value of its type (flags).</summary>
    Any,
    /// <summary>A finite number ≥ 0; an integer ≥ 0.</summary>
    NonNegative,
    /// <summary>A finite number &gt; 0; an integer ≥ 1.</summary>
    Positive,
    /// <summary>A number in [0, 1): momentum and β coefficients.</summary>
    UnitInterval,
    /// <summary>A number in [0, 1].</summary>
    ClosedUnitInterval,
    /// <summary>A number in (0, 1): a lower bound on normalized singular values.</summary>
    OpenUnitInterval,
}
