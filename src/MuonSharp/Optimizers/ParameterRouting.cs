using System.Text;
using TorchSharp.Modules;

namespace MuonSharp.Optimizers;

/// <summary>Which optimizer updates a parameter in a hybrid optimizer.</summary>
public enum Route
{
    /// <summary>Hidden matrices and conv filters: the orthogonalized update.</summary>
    Muon,
    /// <summary>Embeddings, the output head, the first conv layer, biases and norm gains.</summary>
    AdamW,
}

/// <summary>One parameter's routing decision and the reason for it.</summary>
/// <param name="Name">The parameter's name from <c>named_parameters()</c>.</param>
/// <param name="Parameter">The parameter.</param>
/// <param name="Route">Where it goes.</param>
/// <param name="Reason">Why, in words (shown by <see cref="ParameterRouting.Table"/>).</param>
public sealed record RoutedParameter(string Name, Parameter Parameter, Route Route, string Reason);

/// <summary>
/// Decides which parameters of a model Muon updates and which go to AdamW — the split every Muon
/// user needs (Jordan et al. 2024; nanoGPT/nanochat let the model decide its parameter groups).
/// <para>
/// The default rule, applied in parameter order: 0-D/1-D parameters (biases, norm gains) → AdamW;
/// names with an embedding segment (<c>emb</c>, <c>embed</c>, <c>embedding</c>, <c>wte</c>, <c>wpe</c>,
/// <c>tok_emb</c>, <c>pos_emb</c>) → AdamW; the output head (a segment named <c>head</c>,
/// <c>lm_head</c>, <c>classifier</c> or <c>fc_out</c>, or else the last 2-D parameter) → AdamW;
/// the first conv filter (the first parameter with more than 2 dimensions) → AdamW, since it sees
/// raw pixels rather than features; every other matrix or filter → Muon.
/// </para>
/// <para>
/// Overrides name parameters exactly or by glob (<c>*</c> matches within and across dots) and win
/// over the default. With <see cref="Explicit"/> there is no default: every parameter must be
/// matched by an override. A parameter matched by overrides with different routes is refused
/// ("routed twice"), as is a parameter no rule routes ("not routed") and an override that matches
/// no parameter (a typo would otherwise be silently ignored).
/// </para>
/// </summary>
public sealed class ParameterRouting
{
    private static readonly string[] EmbeddingSegments = { "emb", "embed", "embeds", "embedding", "embeddings", "wte", "wpe", "tok_emb", "pos_emb", "token_embedding", "position_embedding" };
    private static readonly string[] HeadSegments = { "head", "lm_head", "classifier", "fc_out" };

    private readonly List<(string Pattern, Route Route)> _overrides = new();
    private readonly bool _useDefaultRule;

    private ParameterRouting(bool useDefaultRule) => _useDefaultRule = useDefaultRule;

    /// <summary>The default rule (see the class summary), refined by overrides.</summary>
    public static ParameterRouting Default() => new(useDefaultRule: true);

    /// <summary>No default: every parameter must be routed by an override.</summary>
    public static ParameterRouting Explicit() => new(useDefaultRule: false);

    /// <summary>Routes parameters whose names match <paramref name="patterns"/> to Muon.</summary>
    /// <param name="patterns">Exact names or globs such as <c>blocks.*.mlp.*</c>.</param>
    public ParameterRouting Muon(params string[] patterns) => Add(patterns, Route.Muon);

    /// <summary>Routes parameters whose names match <paramref name="patterns"/> to AdamW.</summary>
    /// <param name="patterns">Exact names or globs such as <c>*.bias</c>.</param>
    public ParameterRouting AdamW(params string[] patterns) => Add(patterns, Route.AdamW);

    private ParameterRouting Add(string[] patterns, Route route)
    {
        foreach (var pattern in patterns)
        {
            if (string.IsNullOrWhiteSpace(pattern)) throw new ArgumentException("A routing pattern is empty; give a parameter name or a glob like 'blocks.*.weight'.", nameof(patterns));
            _overrides.Add((pattern, route));
        }
        return this;
    }

    /// <summary>Routes every parameter exactly once, or throws naming the parameters that could not be.</summary>
    /// <param name="parameters">The model's <c>named_parameters()</c>.</param>
    public IReadOnlyList<RoutedParameter> Assign(IEnumerable<(string name, Parameter parameter)> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.ToList();
        var seen = new Dictionary<IntPtr, string>();
        foreach (var (name, parameter) in list)
            if (!seen.TryAdd(parameter.Handle, name))
                throw new ArgumentException($"Parameter '{name}' is the same tensor as '{seen[parameter.Handle]}': it would be routed twice. List each parameter once.", nameof(parameters));

        var headName = _useDefaultRule ? FindHead(list) : null;
        var firstConvName = list.FirstOrDefault(p => p.parameter.dim() > 2).name;
        var usedPatterns = new HashSet<string>();
        var routed = new List<RoutedParameter>();
        var problems = new List<string>();

        foreach (var (name, parameter) in list)
        {
            var matches = _overrides.Where(o => Matches(o.Pattern, name)).ToList();
            foreach (var m in matches) usedPatterns.Add(m.Pattern);
            var routes = matches.Select(m => m.Route).Distinct().ToList();
            if (routes.Count > 1)
            {
                problems.Add($"'{name}' is routed twice: {string.Join(" and ", matches.Select(m => $"'{m.Pattern}' → {m.Route}"))}");
                continue;
            }

            RoutedParameter? decision = routes.Count == 1
                ? new RoutedParameter(name, parameter, routes[0], $"override '{matches[0].Pattern}'")
                : _useDefaultRule ? DefaultRoute(name, parameter, headName, firstConvName) : null;

            if (decision is null) { problems.Add($"'{name}' is not routed by any pattern"); continue; }
            if (decision.Route == Route.Muon && parameter.dim() < 2)
            {
                problems.Add($"'{name}' with shape [{string.Join(", ", parameter.shape)}] is routed to Muon by {decision.Reason}, but Muon updates matrices only");
                continue;
            }
            routed.Add(decision);
        }

        var unused = _overrides.Select(o => o.Pattern).Distinct().Where(p => !usedPatterns.Contains(p)).ToList();
        if (unused.Count > 0)
            problems.Add($"pattern(s) {string.Join(", ", unused.Select(p => $"'{p}'"))} match no parameter (known: {string.Join(", ", list.Take(12).Select(p => p.name))}{(list.Count > 12 ? ", …" : "")})");
        if (problems.Count > 0)
            throw new ArgumentException("Cannot route parameters between Muon and AdamW:\n  " + string.Join("\n  ", problems));
        return routed;
    }

    /// <summary>A plain-text table of which parameter went where and why.</summary>
    /// <param name="routed">The result of <see cref="Assign"/>.</param>
    public static string Table(IReadOnlyList<RoutedParameter> routed)
    {
        ArgumentNullException.ThrowIfNull(routed);
        int nameWidth = Math.Max(9, routed.Select(r => r.Name.Length).DefaultIfEmpty(0).Max());
        var shapes = routed.Select(r => $"[{string.Join(", ", r.Parameter.shape)}]").ToList();
        int shapeWidth = Math.Max(5, shapes.Select(s => s.Length).DefaultIfEmpty(0).Max());
        var text = new StringBuilder();
        text.AppendLine($"{"parameter".PadRight(nameWidth)}  {"shape".PadRight(shapeWidth)}  {"route",-5}  reason");
        for (int i = 0; i < routed.Count; i++)
            text.AppendLine($"{routed[i].Name.PadRight(nameWidth)}  {shapes[i].PadRight(shapeWidth)}  {routed[i].Route,-5}  {routed[i].Reason}");
        return text.ToString();
    }

    private static RoutedParameter DefaultRoute(string name, Parameter parameter, string? headName, string? firstConvName)
    {
        var segments = name.Split('.');
        if (parameter.dim() < 2) return new(name, parameter, Route.AdamW, $"{parameter.dim()}-D (bias, gain or scalar)");
        if (segments.Any(s => EmbeddingSegments.Contains(s, StringComparer.OrdinalIgnoreCase)))
            return new(name, parameter, Route.AdamW, "embedding");
        if (name == headName) return new(name, parameter, Route.AdamW, "output head");
        if (name == firstConvName) return new(name, parameter, Route.AdamW, "first conv layer (sees raw input)");
        return new(name, parameter, Route.Muon, parameter.dim() == 2 ? "hidden matrix" : "conv filter");
    }

    /// <summary>The output head: a parameter in a module named like a head, else the last matrix.</summary>
    private static string? FindHead(List<(string name, Parameter parameter)> list)
    {
        var named = list.LastOrDefault(p => p.parameter.dim() == 2 && p.name.Split('.').Any(s => HeadSegments.Contains(s, StringComparer.OrdinalIgnoreCase)));
        if (named.name is not null) return named.name;
        return list.LastOrDefault(p => p.parameter.dim() == 2).name;
    }

    private static bool Matches(string pattern, string name) => MatrixLayouts.Matches(pattern, name);
}
