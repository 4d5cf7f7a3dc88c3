import { DataSource, EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DriverUtils } from 'typeorm/driver/DriverUtils';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

type Row = Record<string, unknown>;

/**
 * A SELECT that TypeORM's query builder writes once, at startup, and that then runs as plain
 * SQL. On a hot path the builder costs more than the statement: on SQLite a token lookup with
 * its user took 115 µs through `getOne()` and 30 µs this way (see docs/benchmarks.md). Rows
 * are turned back into entities by the driver's own hydration, so dates and simple arrays
 * come back as the entity declares them on every engine.
 */
export class PrebuiltSelect {
  private readonly sql: string;
  /** Parameter names in the order of the statement's placeholders. */
  private readonly parameterOrder: string[];
  private readonly columnsByAlias = new Map<string, Array<[string, ColumnMetadata]>>();

  constructor(
    private readonly dataSource: DataSource,
    builder: SelectQueryBuilder<ObjectLiteral>,
    parameterNames: string[],
  ) {
    // Each parameter's value is its own name, so the builder's output gives their order.
    builder.setParameters(Object.fromEntries(parameterNames.map((name) => [name, name])));
    const [sql, order] = builder.getQueryAndParameters();
    this.sql = sql;
    this.parameterOrder = order as string[];
  }

  async first(parameters: Record<string, unknown>): Promise<Row | undefined> {
    const rows: Row[] = await this.dataSource.query(
      this.sql,
      this.parameterOrder.map((name) => parameters[name]),
    );
    return rows[0];
  }

  /** The columns of `target` that the row holds under `alias`, hydrated as TypeORM would. */
  entity<T extends ObjectLiteral>(target: EntityTarget<T>, alias: string, row: Row): T {
    const { driver } = this.dataSource;
    const entity: ObjectLiteral = {};
    for (const [key, column] of this.columnsOf(target, alias)) {
      if (key in row) entity[column.propertyName] = driver.prepareHydratedValue(row[key], column) as unknown;
    }
    return entity as T;
  }

  /** Each column of `target` with the name the statement gives it under `alias`; worked out once. */
  private columnsOf(target: EntityTarget<ObjectLiteral>, alias: string): Array<[string, ColumnMetadata]> {
    let columns = this.columnsByAlias.get(alias);
    if (!columns) {
      columns = this.dataSource
        .getMetadata(target)
        .columns.filter((column) => !column.isVirtual)
        .map((column) => [
          DriverUtils.buildAlias(this.dataSource.driver, undefined, alias, column.databaseName),
          column,
        ]);
      this.columnsByAlias.set(alias, columns);
    }
    return columns;
  }
}
