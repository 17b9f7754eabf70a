import * as vscode from 'vscode';

/** Base class that owns disposables: everything registered through `_register` is disposed with it. */
export abstract class Disposable implements vscode.Disposable {
	private readonly _disposables: vscode.Disposable[] = [];
	private _disposed = false;

	protected _register<T extends vscode.Disposable>(d: T): T {
		if (this._disposed) d.dispose();
		else this._disposables.push(d);
		return d;
	}

	dispose(): void {
		if (this._disposed) return;
		this._disposed = true;
		while (this._disposables.length) this._disposables.pop()?.dispose();
	}
}
