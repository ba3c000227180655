import 'reflect-metadata';
import { DynamicModule, forwardRef, Global, Inject, Injectable, Module, Optional, Type } from '@nestjs/common';
import {
  GLOBAL_MODULE_METADATA,
  MODULE_METADATA,
  OPTIONAL_DEPS_METADATA,
  OPTIONAL_PROPERTY_DEPS_METADATA,
  SELF_DECLARED_DEPS_METADATA,
} from '@nestjs/common/constants';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';

/**
 * The module graph as the module files declare it, read from Nest's metadata: the rules of issue 8
 * ("modules that say what they use") checked on every module of the app, so a shortcut that hides a
 * dependency (a new `@Global`, an `@Optional` injection, a `forwardRef`, an import cycle) fails here.
 */

/** The only modules allowed to be global: what nearly every module needs and would only add noise to import lists. */
const ALLOWED_GLOBAL = new Set(['ConfigModule', 'DatabaseModule', 'LoggingModule']);
/** Library modules: not ours to check, and not walked into (TypeORM's root module is global by design). */
const LIBRARY_MODULES = new Set(['TypeOrmModule', 'TypeOrmCoreModule']);

type ModuleEntry = Type | DynamicModule | { forwardRef: () => unknown } | Promise<DynamicModule>;
type ProviderEntry = Type | { provide: unknown; useClass?: Type; useExisting?: unknown; inject?: unknown[] };

interface ModuleNode {
  name: string;
  imports: string[];
}

function checkModuleGraph(root: ModuleEntry): { problems: string[]; modules: Map<string, ModuleNode> } {
  const problems: string[] = [];
  const modules = new Map<string, ModuleNode>();
  const visit = (entry: ModuleEntry, from: string): string | null => {
    if (entry instanceof Promise) {
      problems.push(`${from} imports an async module; the graph check cannot read it`);
      return null;
    }
    if ('forwardRef' in entry) {
      problems.push(`${from} imports a module through forwardRef (a cycle papered over)`);
      return null;
    }
    const dynamic = 'module' in entry ? entry : null;
    const cls = dynamic ? dynamic.module : (entry as Type);
    const name = cls.name;
    if (LIBRARY_MODULES.has(name)) {
      return name;
    }
    const node = modules.get(name) ?? { name, imports: [] };
    const first = !modules.has(name);
    modules.set(name, node);
    const global = Boolean(dynamic?.global) || Reflect.getMetadata(GLOBAL_MODULE_METADATA, cls) === true;
    if (global && !ALLOWED_GLOBAL.has(name) && first) {
      problems.push(`${name} is global; only ${[...ALLOWED_GLOBAL].join(', ')} may be (import the module where it is used)`);
    }
    // A class's own metadata is read once; a dynamic module adds its own lists each time it appears.
    const metaOf = <T>(key: string): T[] => [
      ...(first ? ((Reflect.getMetadata(key, cls) as T[] | undefined) ?? []) : []),
      ...(((dynamic as Record<string, unknown> | null)?.[key] as T[] | undefined) ?? []),
    ];
    for (const p of [...metaOf<ProviderEntry>(MODULE_METADATA.PROVIDERS), ...metaOf<Type>(MODULE_METADATA.CONTROLLERS)]) {
      checkInjection(p, name, problems);
    }
    for (const imported of metaOf<ModuleEntry>(MODULE_METADATA.IMPORTS)) {
      const child = visit(imported, name);
      if (child && !node.imports.includes(child)) {
        node.imports.push(child);
      }
    }
    return name;
  };
  visit(root, 'root');
  problems.push(...findCycles(modules));
  return { problems, modules };
}

function checkInjection(p: ProviderEntry, moduleName: string, problems: string[]): void {
  const cls = typeof p === 'function' ? p : p.useClass;
  if (typeof p !== 'function') {
    for (const dep of p.inject ?? []) {
      if (typeof dep === 'object' && dep !== null && ('optional' in dep || 'forwardRef' in dep)) {
        problems.push(`${moduleName}: a factory provider injects optionally or through forwardRef`);
      }
    }
  }
  if (!cls) {
    return;
  }
  // Own metadata only: a class of ours extending a library class (ValidationPipe's options are @Optional) declares none.
  if (
    (Reflect.getOwnMetadata(OPTIONAL_DEPS_METADATA, cls) as unknown[] | undefined)?.length ||
    (Reflect.getOwnMetadata(OPTIONAL_PROPERTY_DEPS_METADATA, cls) as unknown[] | undefined)?.length
  ) {
    problems.push(`${moduleName}: ${cls.name} has an @Optional injection (bind the dependency in the module that implements it)`);
  }
  const declared = (Reflect.getOwnMetadata(SELF_DECLARED_DEPS_METADATA, cls) as Array<{ param: unknown }> | undefined) ?? [];
  if (declared.some((d) => typeof d.param === 'object' && d.param !== null && 'forwardRef' in d.param)) {
    problems.push(`${moduleName}: ${cls.name} injects through forwardRef`);
  }
}

function findCycles(modules: Map<string, ModuleNode>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const found: string[] = [];
  const walk = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') {
      return;
    }
    if (state.get(name) === 'open') {
      found.push(`import cycle: ${[...path.slice(path.indexOf(name)), name].join(' -> ')}`);
      return;
    }
    state.set(name, 'open');
    for (const next of modules.get(name)?.imports ?? []) {
      if (modules.has(next)) {
        walk(next, [...path, name]);
      }
    }
    state.set(name, 'done');
  };
  for (const name of modules.keys()) {
    walk(name, []);
  }
  return found;
}

describe('the application module graph', () => {
  const { problems, modules } = checkModuleGraph(AppModule.forRoot({} as AppConfig));

  it('has no cycle, no @Global outside configuration/database/logging, no @Optional, no forwardRef', () => {
    expect(problems).toEqual([]);
  });

  it('reaches every feature module and shows the real dependencies', () => {
    expect([...modules.keys()]).toEqual(
      expect.arrayContaining([
        'AppModule',
        'ConfigModule',
        'DatabaseModule',
        'AdminModule',
        'CoursesModule',
        'LtiModule',
        'LtiKeysModule',
        'PlayerModule',
        'GradesModule',
        'AttemptsModule',
        'ConsoleModule',
      ]),
    );
    // The seams: lti gets its LaunchHandoff from the instructor module (which routes to the player), attempts its ResultListener from grades.
    expect(modules.get('LtiModule')?.imports).toContain('InstructorModule');
    expect(modules.get('InstructorModule')?.imports).toContain('PlayerModule');
    expect(modules.get('AttemptsModule')?.imports).toContain('GradesModule');
    // The console session lives with the admin guard: admin does not depend on the console.
    expect(modules.get('AdminModule')?.imports).not.toContain('ConsoleModule');
  });
});

describe('the graph check itself', () => {
  it('reports a cycle', () => {
    class A {}
    class B {}
    Module({})(A);
    Module({})(B);
    Reflect.defineMetadata(MODULE_METADATA.IMPORTS, [B], A);
    Reflect.defineMetadata(MODULE_METADATA.IMPORTS, [A], B);
    expect(checkModuleGraph(A).problems).toEqual(['import cycle: A -> B -> A']);
  });

  it('reports a global module other than the allowed three, decorated or dynamic', () => {
    @Global()
    @Module({})
    class SharedThings {}
    @Module({})
    class DynamicThings {}
    @Module({ imports: [SharedThings, { module: DynamicThings, global: true }] })
    class Root {}
    expect(checkModuleGraph(Root).problems).toEqual([expect.stringContaining('SharedThings is global'), expect.stringContaining('DynamicThings is global')]);
  });

  it('reports @Optional and forwardRef injections and forwardRef imports', () => {
    @Injectable()
    class Dep {}
    @Injectable()
    class UsesOptional {
      constructor(@Optional() readonly dep?: Dep) {}
    }
    @Injectable()
    class UsesForwardRef {
      constructor(@Inject(forwardRef(() => Dep)) readonly dep: Dep) {}
    }
    @Module({})
    class Other {}
    @Module({ imports: [forwardRef(() => Other)], providers: [Dep, UsesOptional, UsesForwardRef] })
    class Root {}
    expect(checkModuleGraph(Root).problems).toEqual([
      expect.stringContaining('UsesOptional has an @Optional injection'),
      expect.stringContaining('UsesForwardRef injects through forwardRef'),
      expect.stringContaining('Root imports a module through forwardRef'),
    ]);
  });
});
