namespace System.Runtime.CompilerServices;

/// <summary>
/// Lets a dynamic assembly use this assembly's internal members. The runtime recognises the attribute by
/// name; applied to the assemblies we emit, it lets generated code read <c>InstanceContext</c> fields and call
/// internal helpers directly (and lets the JIT inline them) without making them public.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class IgnoresAccessChecksToAttribute(string assemblyName) : Attribute
{
    public string AssemblyName { get; } = assemblyName;
}
