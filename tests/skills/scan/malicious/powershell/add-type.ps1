# Compiles inline C#.
$src = 'public class P { public static void Run() { } }'
Add-Type -TypeDefinition $src
Add-Type `
  -MemberDefinition $src -Name N -Namespace W
