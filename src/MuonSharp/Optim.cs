using MuonSharp.Optimizers;
using TorchSharp.Modules;

namespace MuonSharp;

/// <summary>
/// Factory methods for MuonSharp's optimizers, named and parameterized like <c>torch.optim</c>:
/// <c>Optim.Muon(model.parameters(), lr: 0.02)</c> reads like
/// <c>torch.optim.AdamW(model.parameters(), lr: 1e-3)</c>. Each takes <c>model.parameters()</c>,
/// <c>model.named_parameters()</c> (the names then appear in error messages) or the optimizer's own
/// parameter groups, whose unset options come from the factory's arguments. The enums the
/// optimizers take (<c>Optim.AdjustLr</c>, <c>Optim.Grafting</c>, …) are inherited from
/// <see cref="OptimizerChoices"/>.
/// </summary>
public abstract partial class Optim : OptimizerChoices
{
    /// <summary>Only static members: no instances.</summary>
    private Optim() { }

    /// <summary>
    /// The parameter groups and parameter names a factory was given: one group for <c>parameters()</c>
    /// or <c>named_parameters()</c> (with their names), or the optimizer's own groups.
    /// </summary>
    /// <param name="parameters">What the user passed.</param>
    /// <param name="optimizer">The factory's name, for the message about anything else.</param>
    /// <param name="oneGroup">Makes the optimizer's group of plain parameters.</param>
    private static (List<ParamGroup<TOptions>> Groups, Dictionary<IntPtr, string>? Names) GroupsOf<T, TOptions>(
        IEnumerable<T> parameters, string optimizer, Func<IEnumerable<Parameter>, ParamGroup<TOptions>> oneGroup)
        where TOptions : OptimizerOptions
    {
        ArgumentNullException.ThrowIfNull(parameters);
        switch (parameters)
        {
            case IEnumerable<ParamGroup<TOptions>> groups:
                return (groups.ToList(), null);
            case IEnumerable<(string name, Parameter parameter)> named:
                var (list, names) = Named(named);
                return (new() { oneGroup(list) }, names);
            case IEnumerable<Parameter> plain:
                return (new() { oneGroup(plain) }, null);
            default:
                throw new ArgumentException(
                    $"Optim.{optimizer} takes model.parameters(), model.named_parameters() or {optimizer}.ParamGroup objects, not a sequence of {typeof(T).Name}.",
                    nameof(parameters));
        }
    }

    internal static (List<Parameter> parameters, Dictionary<IntPtr, string> names) Named(IEnumerable<(string name, Parameter parameter)> named)
    {
        ArgumentNullException.ThrowIfNull(named);
        var list = new List<Parameter>();
        var names = new Dictionary<IntPtr, string>();
        foreach (var (name, parameter) in named)
        {
            list.Add(parameter);
            names.TryAdd(parameter.Handle, name);
        }
        return (list, names);
    }
}
